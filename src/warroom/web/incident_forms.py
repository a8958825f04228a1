"""Turning a posted form into a service command, with pydantic's complaint as words naming the field."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)


def command_or_error(model: type[Model], values: dict[str, Any]) -> tuple[Model | None, str | None]:
    try:
        return model.model_validate(values), None
    except ValidationError as error:
        words = "; ".join(
            f"{'.'.join(str(part) for part in problem['loc']) or 'form'}: {problem['msg']}"
            for problem in error.errors()
        )
        return None, words
