"""RFC 9457 problem+json answers: every error names the field and the reason."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from warroom.errors import Conflict, FieldProblem, Forbidden, InvalidInput, NotFound, Unauthenticated, WarroomError

PROBLEM_TYPE = "application/problem+json"


def problem(
    status: int,
    title: str,
    detail: str,
    problems: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if problems:
        body["errors"] = [{"field": item.field, "reason": item.reason} for item in problems]
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_TYPE, headers=headers)


_STATUS = {InvalidInput: 422, NotFound: 404, Conflict: 409, Forbidden: 403, Unauthenticated: 401}


async def on_domain_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, WarroomError)
    status = next((code for kind, code in _STATUS.items() if isinstance(error, kind)), 400)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    extra = getattr(error, "extra", {})
    return problem(status, error.title, error.detail, error.problems, headers=headers, **extra)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(part) for part in loc if part not in ("body", "query", "path")]
    return ".".join(parts) or "body"


async def on_validation_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    items = list(error.errors())
    if any(item.get("type") == "json_invalid" for item in items):
        reason = next(item.get("ctx", {}).get("error", "") for item in items if item.get("type") == "json_invalid")
        return problem(
            400,
            "Malformed JSON",
            f"the request body is not valid JSON ({reason})",
            [FieldProblem("body", f"malformed JSON: {reason}")],
        )
    problems = []
    for item in items:
        reason = str(item.get("msg", "invalid")).removeprefix("Value error, ")
        if item.get("type") == "extra_forbidden":
            reason = "unknown field"
        problems.append(FieldProblem(_field(tuple(item.get("loc", ()))), reason))
    detail = "; ".join(f"{p.field}: {p.reason}" for p in problems)
    return problem(422, "Invalid input", detail, problems)


async def on_http_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    return problem(error.status_code, str(error.detail), str(error.detail), headers=getattr(error, "headers", None))


async def on_store_unavailable(request: Request, error: Exception) -> JSONResponse:
    # Loud on our side (an operator must see it), vague on the wire (no SQL or paths to callers).
    cause = getattr(error, "orig", error)
    # The route's template, not the raw path: ingest URLs carry an integration's secret key.
    route = getattr(request.scope.get("route"), "path", None) or "(no route)"
    logging.getLogger("warroom.api").error(
        "store unavailable on %s %s: %s: %s", request.method, route, type(cause).__name__, cause
    )
    return problem(
        503, "Store unavailable", "the database cannot be reached; retry later", headers={"Retry-After": "5"}
    )
