"""Warroom's own postmortem template, for a playbook that has none. Blameless by wording: it asks what in the
system and the process let this happen, never who.

Besides the incident (docs/playbook-format.md, "Template context"), a postmortem template sees `postmortem`
(owner, due_at, review_due_at, requirement), `timeline_table`, `key_timestamps`, `five_whys` and
`action_items` (Markdown), and `fields.author` / `fields.action_items`. Anything not known yet prints as a
placeholder comment for people to fill in.
"""

from __future__ import annotations

DEFAULT_TEMPLATE = """\
# Postmortem: {{ incident.id }} {{ incident.title }}

**Date:** {{ incident.started_at | date }}
**Severity:** {{ incident.severity.label }} ({{ incident.severity.name }})
**Duration:** {{ incident.duration | duration }}
**Impact:** {{ incident.impact }}
**Incident lead:** {{ incident.commander }}
**Postmortem owner:** {{ postmortem.owner }}
{% if postmortem.due_at %}**Due:** {{ postmortem.due_at | utc }}
{% endif %}
_This postmortem is blameless: it asks how our systems and processes allowed this to happen, not who is to \
blame. Everyone acted in good faith on what they knew at the time._

## Summary

{{ incident.summary }}

## Key timestamps

{{ key_timestamps }}

## Timeline

{{ timeline_table }}

## 5 Whys

{{ five_whys }}

## Root cause

{{ incident.root_cause }}

## Resolution

{{ incident.resolution }}

## What went well

{{ fields.what_went_well }}

## What went wrong

{{ fields.what_went_wrong }}

## Action items

{{ action_items }}

## Lessons learned

{{ fields.lessons_learned }}
"""
