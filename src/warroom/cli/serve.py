"""`warroom serve`: migrate, load the playbook (refusing a broken one), print the first admin token once, serve."""

from __future__ import annotations

import logging
from typing import Annotated

import typer
import uvicorn
from rich.console import Console

from warroom.api.app import create_app
from warroom.auth.tokens import ensure_first_admin
from warroom.logging import configure_logging
from warroom.playbook.loader import PlaybookError
from warroom.runtime import build
from warroom.settings import Settings

out = Console()
err = Console(stderr=True)


def serve(
    host: Annotated[str | None, typer.Option(help="Default WARROOM_HOST or 127.0.0.1.")] = None,
    port: Annotated[int | None, typer.Option(help="Default WARROOM_PORT or 8080.")] = None,
) -> None:
    """Start the server."""
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
    try:
        uvicorn.run(create_app(warroom), host=host, port=port, log_level=settings.log_level, access_log=False)
    finally:
        warroom.close()
