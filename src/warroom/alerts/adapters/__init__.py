"""One module per wire format; each turns a request body into an AlertBatch or a PayloadError."""
