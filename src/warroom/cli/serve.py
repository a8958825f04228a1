"""`warroom serve`: migrate, load the playbook (refusing a broken one), print the first admin token once, serve."""

from __future__ import annotations

import gc
import logging
import sys
from typing import Annotated

import typer
from rich.console import Console

from warroom.auth.tokens import ensure_first_admin
from warroom.logging import configure_logging
from warroom.playbook.loader import PlaybookError
from warroom.settings import Settings

out = Console()
err = Console(stderr=True)


def serve(
    host: Annotated[str | None, typer.Option(help="Default WARROOM_HOST or 127.0.0.1.")] = None,
    port: Annotated[int | None, typer.Option(help="Default WARROOM_PORT or 8080.")] = None,
) -> None:
    """Start the server."""
    # The server stack is imported here, not at module level: every other CLI command starts ~0.6 s sooner.
    import uvicorn

    from warroom.api.app import create_app
    from warroom.runtime import build

    settings = Settings()
    configure_logging(settings.log_level)
    try:
        warroom = build(settings)
    except PlaybookError as error:
        err.print("[red]refusing to start: the playbook is invalid[/]")
        for problem in error.problems:
            err.print(f"[red]{problem}[/]", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    first = ensure_first_admin(warroom.db, warroom.clock)
    host = host or settings.host
    port = port or settings.port
    out.print(f"Warroom on http://{host}:{port}  (playbook: {warroom.playbook.name}, API docs: /docs)")
    if first is not None:
        out.print("First start: an admin API token was created. It is shown ONCE; keep it safe:")
        typer.echo(first.token)
        out.print(f"Use it:  export WARROOM_URL=http://{host}:{port} WARROOM_TOKEN=<the token above>")
    logging.getLogger("warroom").info("serving", extra={"host": host, "port": port})
    if settings.engine:
        warroom.engine.start()
        warroom.sender.start()
    app = create_app(warroom)
    # Everything built so far (playbook, schema, tables, routes) lives as long as the process: keep it out of
    # the cyclic collector, whose full passes over it otherwise stall every request in flight.
    gc.collect()
    gc.freeze()
    # A request allocates thousands of short-lived objects; collecting the young generation every 700 of
    # them costs more than the rare cycle it finds.
    gc.set_threshold(50_000, 20, 20)
    # The group-commit writer and the event loop share the GIL: hand it over sooner than the 5 ms default so
    # a long batch does not hold every waiting request back.
    sys.setswitchinterval(0.001)
    try:
        uvicorn.run(app, host=host, port=port, log_level=settings.log_level, access_log=False)
    finally:
        warroom.close()
