"""A small client of Warroom's HTTP API for the CLI: WARROOM_URL and WARROOM_TOKEN."""

from __future__ import annotations

from typing import Any

import httpx
import typer
from rich.console import Console

from warroom.settings import Settings

err = Console(stderr=True)


class ApiClient:
    def __init__(self, settings: Settings | None = None, transport: httpx.BaseTransport | None = None) -> None:
        settings = settings or Settings()
        if settings.token is None:
            err.print("[red]error:[/] set WARROOM_TOKEN to an API token (warroom token create --role responder)")
            raise typer.Exit(2)
        self._http = httpx.Client(
            base_url=settings.url.rstrip("/"),
            headers={"Authorization": f"Bearer {settings.token.get_secret_value()}", "User-Agent": "warroom-cli"},
            timeout=30.0,
            transport=transport,
        )

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as error:
            err.print(f"[red]error:[/] cannot reach Warroom at {self._http.base_url}: {error}")
            raise typer.Exit(3) from None
        if response.status_code >= 400:
            _explain(response)
            raise typer.Exit(1)
        return response

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.request(method, path, **kwargs).json()


def _explain(response: httpx.Response) -> None:
    try:
        body = response.json()
    except ValueError:
        err.print(f"[red]error {response.status_code}:[/] {response.text[:500]}")
        return
    err.print(f"[red]error {response.status_code}:[/] {body.get('detail') or body.get('title')}")
    for item in body.get("errors", []) or []:
        err.print(f"  - {item.get('field')}: {item.get('reason')}")
    if body.get("allowed") is not None:
        err.print(f"  allowed: {', '.join(body['allowed']) or 'none'}")
