"""Request dependencies: the running Warroom and the authenticated actor with at least a given role."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from warroom.auth.actors import AccessRole, Actor
from warroom.auth.tokens import authenticate
from warroom.errors import Forbidden, Unauthenticated
from warroom.runtime import Warroom

_bearer = HTTPBearer(auto_error=False)


def runtime(request: Request) -> Warroom:
    app_runtime: Warroom = request.app.state.warroom
    return app_runtime


def require(role: AccessRole) -> Callable[..., Actor]:
    def dependency(
        credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
        warroom: Warroom = Depends(runtime),
    ) -> Actor:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise Unauthenticated("send an API token as 'Authorization: Bearer <token>'")
        actor = authenticate(warroom.db, credentials.credentials)
        if not actor.role.allows(role):
            raise Forbidden(f"this needs the {role.value} role; the token has {actor.role.value}")
        return actor

    return dependency


viewer = require(AccessRole.VIEWER)
responder = require(AccessRole.RESPONDER)
admin = require(AccessRole.ADMIN)
