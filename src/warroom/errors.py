"""Domain errors. Doors translate them: HTTP to problem+json, the CLI to a message and exit code."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldProblem:
    field: str
    reason: str


class WarroomError(Exception):
    """Base for errors a user can act on."""

    title = "Request failed"

    def __init__(self, detail: str, problems: list[FieldProblem] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.problems = problems or []


class InvalidInput(WarroomError):
    title = "Invalid input"

    @classmethod
    def of(cls, field: str, reason: str) -> InvalidInput:
        return cls(f"{field}: {reason}", [FieldProblem(field, reason)])


class NotFound(WarroomError):
    title = "Not found"


class Conflict(WarroomError):
    title = "Conflict"

    def __init__(self, detail: str, problems: list[FieldProblem] | None = None, **extra: object) -> None:
        super().__init__(detail, problems)
        self.extra = extra


class Forbidden(WarroomError):
    title = "Forbidden"


class Unauthenticated(WarroomError):
    title = "Unauthenticated"


@dataclass
class Problems:
    """Collects several field problems before raising one InvalidInput."""

    items: list[FieldProblem] = field(default_factory=list)

    def add(self, name: str, reason: str) -> None:
        self.items.append(FieldProblem(name, reason))

    def raise_if_any(self) -> None:
        if self.items:
            detail = "; ".join(f"{item.field}: {item.reason}" for item in self.items)
            raise InvalidInput(detail, list(self.items))
