"""Bad input gets a clear 4xx and changes nothing: every case compares all tables before and after."""

from __future__ import annotations

from typing import Any

import pytest

from tests.harness.app import RunningApp

PROBLEM = "application/problem+json"


def _declare(app: RunningApp) -> str:
    response = app.call("POST", "/api/v1/incidents", json={"title": "seed", "severity": "sev2"})
    assert response.status_code == 201
    return str(response.json()["id"])


CASES: list[tuple[str, str, str, dict[str, Any], int, str]] = [
    # (name, method, path, request kwargs, status, field named in errors)
    (
        "malformed json",
        "POST",
        "/api/v1/incidents",
        {"content": b'{"title": "x",', "headers": {"content-type": "application/json"}},
        400,
        "body",
    ),
    ("unknown severity", "POST", "/api/v1/incidents", {"json": {"title": "x", "severity": "SEV-9"}}, 422, "severity"),
    ("missing title", "POST", "/api/v1/incidents", {"json": {"severity": "sev1"}}, 422, "title"),
    (
        "mistyped fact",
        "POST",
        "/api/v1/incidents",
        {"json": {"title": "x", "impact": {"error_rate_pct": "lots"}}},
        422,
        "impact.error_rate_pct",
    ),
    (
        "unknown fact",
        "POST",
        "/api/v1/incidents",
        {"json": {"title": "x", "impact": {"vibes": True}}},
        422,
        "impact.vibes",
    ),
    (
        "percent out of range",
        "POST",
        "/api/v1/incidents",
        {"json": {"title": "x", "impact": {"error_rate_pct": 140}}},
        422,
        "impact.error_rate_pct",
    ),
    ("unknown field", "POST", "/api/v1/incidents", {"json": {"title": "x", "sevrity": "sev1"}}, 422, "sevrity"),
    (
        "naive timestamp",
        "POST",
        "/api/v1/incidents",
        {"json": {"title": "x", "started_at": "2026-01-05T08:00:00"}},
        422,
        "started_at",
    ),
    (
        "started after detected",
        "POST",
        "/api/v1/incidents",
        {"json": {"title": "x", "started_at": "2026-01-05T08:30:00Z", "detected_at": "2026-01-05T08:00:00Z"}},
        422,
        "started_at",
    ),
    (
        "future detection",
        "POST",
        "/api/v1/incidents",
        {"json": {"title": "x", "detected_at": "2030-01-01T00:00:00Z"}},
        422,
        "detected_at",
    ),
    (
        "unknown role at declare",
        "POST",
        "/api/v1/incidents",
        {"json": {"title": "x", "roles": {"janitor": "bob"}}},
        422,
        "roles.janitor",
    ),
    (
        "body over 1 MiB",
        "POST",
        "/api/v1/incidents",
        {"content": b'{"title": "' + b"x" * (1024 * 1024) + b'"}', "headers": {"content-type": "application/json"}},
        413,
        "body",
    ),
    ("invalid transition", "POST", "/api/v1/incidents/{ref}/status", {"json": {"status": "closed"}}, 409, ""),
    ("unknown status", "POST", "/api/v1/incidents/{ref}/status", {"json": {"status": "done"}}, 422, "status"),
    (
        "severity without reason",
        "POST",
        "/api/v1/incidents/{ref}/severity",
        {"json": {"severity": "sev1"}},
        422,
        "reason",
    ),
    (
        "same severity",
        "POST",
        "/api/v1/incidents/{ref}/severity",
        {"json": {"severity": "sev2", "reason": "x"}},
        409,
        "",
    ),
    ("unknown incident", "POST", "/api/v1/incidents/INC-999/acknowledge", {}, 404, ""),
    ("bad reference", "GET", "/api/v1/incidents/DROP TABLE", {}, 404, ""),
    ("unknown role", "PUT", "/api/v1/incidents/{ref}/roles/janitor", {"json": {"person": "bob"}}, 422, "role"),
    ("empty note", "POST", "/api/v1/incidents/{ref}/notes", {"json": {"text": ""}}, 422, "text"),
    (
        "duplicate of itself",
        "PATCH",
        "/api/v1/incidents/{ref}",
        {"json": {"duplicate_of": "{ref}"}},
        422,
        "duplicate_of",
    ),
    ("null title", "PATCH", "/api/v1/incidents/{ref}", {"json": {"title": None, "summary": "new"}}, 422, "title"),
]


@pytest.mark.parametrize(("name", "method", "path", "kwargs", "status", "field"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_refused_and_changes_nothing(
    running: RunningApp, name: str, method: str, path: str, kwargs: dict[str, Any], status: int, field: str
) -> None:
    ref = _declare(running)
    path = path.replace("{ref}", ref)
    if "json" in kwargs:
        kwargs = {
            **kwargs,
            "json": {k: (v.replace("{ref}", ref) if isinstance(v, str) else v) for k, v in kwargs["json"].items()},
        }
    before = running.snapshot()
    response = running.call(method, path, **kwargs)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["detail"]
    if field:
        assert field in [item["field"] for item in body["errors"]], body
    assert running.snapshot() == before


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer wr_000000000000_" + "x" * 43}, 401),
        ({"Authorization": "Bearer not-a-token"}, 401),
        ({"Authorization": "Basic YWRtaW46YWRtaW4="}, 401),
    ],
    ids=["missing", "wrong", "malformed", "basic"],
)
def test_missing_or_wrong_token(running: RunningApp, headers: dict[str, str], status: int) -> None:
    before = running.snapshot()
    response = running.client.post("/api/v1/incidents", json={"title": "x"}, headers=headers)
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM
    assert running.snapshot() == before


def test_viewer_cannot_write(running: RunningApp) -> None:
    ref = _declare(running)
    before = running.snapshot()
    for method, path, body in [
        ("POST", "/api/v1/incidents", {"title": "x"}),
        ("POST", f"/api/v1/incidents/{ref}/acknowledge", None),
        ("POST", f"/api/v1/incidents/{ref}/notes", {"text": "hi"}),
        ("PATCH", f"/api/v1/incidents/{ref}", {"title": "y"}),
    ]:
        response = running.call(method, path, who="viewer", json=body)
        assert response.status_code == 403, (path, response.text)
        assert "responder" in response.json()["detail"]
    assert running.snapshot() == before
    assert running.call("GET", f"/api/v1/incidents/{ref}", who="viewer").status_code == 200


def test_audit_log_is_append_only_in_the_database(running: RunningApp) -> None:
    from sqlalchemy import delete, update
    from sqlalchemy.exc import DBAPIError

    from warroom.store.tables import audit_log

    _declare(running)
    for statement in (update(audit_log).values(actor="mallory"), delete(audit_log)):
        with pytest.raises(DBAPIError, match="append-only"), running.warroom.db.transaction() as tx:
            tx.execute(statement)
