"""The web UI: server-rendered pages (Jinja2 + htmx, vendored), signed-in sessions, CSRF-checked forms."""
