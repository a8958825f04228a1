"""The status page as HTML, rendered from template files with autoescaping on (public wording only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from warroom.status.display import local_time
from warroom.status.records import ComponentRecord, PublicIncidentRecord, PublicPage
from warroom.status.statuspage_v2 import shortlink
from warroom.status.vocabulary import ComponentStatus, status_label

_environment = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.filters["label"] = status_label
PAST = 20  # resolved incidents shown under "Past incidents"


def _visible(page: PublicPage, component: ComponentRecord) -> bool:
    degraded = page.shown_status(component) is not ComponentStatus.OPERATIONAL
    return not component.only_show_if_degraded or degraded


def _common(page: PublicPage) -> dict[str, Any]:
    zone = page.identity.time_zone
    return {
        "page": page.identity,
        "status": page.status(),
        "updated": local_time(page.updated_at, zone),
        "when": lambda value: local_time(value, zone),
        "link": lambda record: shortlink(page.identity.public_url, record.code),
        "feed": f"{page.identity.public_url}/status/history.atom",
    }


def render_status(page: PublicPage, *, subscribe: bool) -> str:
    top = [c for c in page.components if (c.is_group or c.group_name is None) and _visible(page, c)]
    rows = [
        {
            "component": component,
            "status": page.shown_status(component),
            "members": [(m, m.status) for m in page.members(component) if _visible(page, m)],
        }
        for component in top
    ]
    past = [incident for incident in page.recent_incidents() if not incident.unresolved][:PAST]
    return _environment.get_template("status.html").render(
        **_common(page),
        rows=rows,
        unresolved=page.unresolved(),
        active=page.active(),
        upcoming=page.upcoming(),
        past=past,
        subscribe=subscribe,
    )


def render_incident(page: PublicPage, incident: PublicIncidentRecord) -> str:
    components = [page.component(code) for code in incident.component_codes]
    return _environment.get_template("incident.html").render(
        **_common(page), incident=incident, components=[c for c in components if c is not None]
    )


def render_message(title: str, message: str, *, page_name: str, actions: list[tuple[str, str]] | None = None) -> str:
    """A small page for subscription links: `actions` are (form action URL, button text), all POST."""
    return _environment.get_template("message.html").render(
        title=title, message=message, page_name=page_name, actions=actions or []
    )
