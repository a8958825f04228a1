"""Reading request bodies: JSON objects and pydantic models, with errors that name where in the body."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from warroom.alerts.events import PayloadError

Model = TypeVar("Model", bound=BaseModel)

GO_ZERO_TIME = "0001-01-01T00:00:00Z"


def json_object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except UnicodeDecodeError:
        raise PayloadError(["body: not UTF-8 text"]) from None
    except json.JSONDecodeError as error:
        raise PayloadError(
            [f"body: not valid JSON ({error.msg} at line {error.lineno} column {error.colno})"]
        ) from None
    if not isinstance(data, dict):
        raise PayloadError(["body: must be a JSON object"])
    return data


def location(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "body"


def validated(model: type[Model], data: Any) -> Model:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise PayloadError([f"{location(e['loc'])}: {e['msg']}" for e in error.errors()]) from None


def source_time(value: datetime | None) -> datetime | None:
    """Sources send the Go zero time for 'no time'; naive times are read as UTC."""
    if value is None or value.year <= 1:
        return None
    return value
