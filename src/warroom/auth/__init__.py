"""Who is asking: API tokens with roles viewer, responder and admin."""
