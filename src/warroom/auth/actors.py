"""Actors and their roles."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class AccessRole(StrEnum):
    VIEWER = "viewer"
    RESPONDER = "responder"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return [AccessRole.VIEWER, AccessRole.RESPONDER, AccessRole.ADMIN].index(self)

    def allows(self, needed: AccessRole) -> bool:
        return self.rank >= needed.rank


@dataclass(frozen=True)
class Actor:
    name: str
    role: AccessRole

    @property
    def is_admin(self) -> bool:
        return self.role is AccessRole.ADMIN


SYSTEM = Actor("warroom", AccessRole.ADMIN)
