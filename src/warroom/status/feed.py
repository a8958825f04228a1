"""The incident history as an Atom feed (RFC 4287): one entry per public incident or maintenance.

Built with ElementTree, so every text is escaped as XML; the entry content is HTML (type="html") whose pieces
are escaped as HTML first.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

from markupsafe import escape

from warroom.status.display import local_time
from warroom.status.records import PublicIncidentRecord, PublicPage
from warroom.status.statuspage_v2 import shortlink, stamp
from warroom.status.vocabulary import status_label

ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml; charset=utf-8"
FEED_PATH = "/status/history.atom"


def _tag(name: str) -> str:
    return f"{{{ATOM}}}{name}"


def atom_feed(page: PublicPage) -> bytes:
    identity = page.identity
    host = urlsplit(identity.public_url).hostname or "warroom"
    tag = f"tag:{host},2005:"  # Statuspage's own form: tag:<host>,2005:<path>
    ET.register_namespace("", ATOM)
    feed = ET.Element(_tag("feed"), {"{http://www.w3.org/XML/1998/namespace}lang": "en"})
    ET.SubElement(feed, _tag("id")).text = f"{tag}/status/history"
    ET.SubElement(feed, _tag("link"), {"rel": "alternate", "type": "text/html", "href": identity.url})
    self_link = {"rel": "self", "type": "application/atom+xml", "href": f"{identity.public_url}{FEED_PATH}"}
    ET.SubElement(feed, _tag("link"), self_link)
    ET.SubElement(feed, _tag("title")).text = f"{identity.name} Status - Incident History"
    ET.SubElement(feed, _tag("updated")).text = stamp(page.updated_at)
    author = ET.SubElement(feed, _tag("author"))
    ET.SubElement(author, _tag("name")).text = identity.name
    entries = [*page.recent_incidents(), *page.recent_maintenances()]
    entries.sort(key=lambda record: (record.created_at, record.id), reverse=True)
    for record in entries:
        entry = ET.SubElement(feed, _tag("entry"))
        kind = "Maintenance" if record.scheduled_for else "Incident"
        ET.SubElement(entry, _tag("id")).text = f"{tag}{kind}/{record.code}"
        ET.SubElement(entry, _tag("published")).text = stamp(record.created_at)
        ET.SubElement(entry, _tag("updated")).text = stamp(record.updated_at)
        link = {"rel": "alternate", "type": "text/html", "href": shortlink(identity.public_url, record.code)}
        ET.SubElement(entry, _tag("link"), link)
        ET.SubElement(entry, _tag("title")).text = record.name
        ET.SubElement(entry, _tag("content"), {"type": "html"}).text = _content(record, identity.time_zone)
    document: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return document


def _content(record: PublicIncidentRecord, time_zone: str) -> str:
    parts = []
    if record.scheduled_for and record.scheduled_until:
        window = f"{local_time(record.scheduled_for, time_zone)} to {local_time(record.scheduled_until, time_zone)}"
        parts.append(f"<p><strong>THIS IS A SCHEDULED EVENT {escape(window)}</strong></p>")
    for update in record.updates:
        parts.append(
            f"<p><small>{escape(local_time(update.display_at, time_zone))}</small><br>"
            f"<strong>{escape(status_label(update.status))}</strong> - {escape(update.body)}</p>"
        )
    return "".join(parts)
