"""The playbook page: the active policy as people read it, with template bodies shown as text."""

from __future__ import annotations

import html

import pytest
from markupsafe import escape

from tests.harness.app import start_app
from tests.web.pages import create_account, sign_in, web_app
from warroom.auth.actors import AccessRole
from warroom.playbook.loader import load_preset


def test_the_page_shows_severities_roles_policies_channels_templates_and_runbooks(database_url: str) -> None:
    with web_app(database_url) as app:
        create_account(app, role=AccessRole.VIEWER, person=None)
        sign_in(app.client)
        page = app.client.get("/playbook")
        assert page.status_code == 200
        text = html.unescape(page.text)
        playbook = app.warroom.playbook
        sev1 = playbook.severities[0]
        assert sev1.definition[0] in text and "acknowledge within 5m" in text
        assert f"every {sev1.update_cadence}" in text
        assert all(c.name in text for c in sev1.communication)
        assert all(check.text in text for check in sev1.response_checklist)
        assert f"{sev1.postmortem.requirement.value}, due {sev1.postmortem.due}" in text
        commander = playbook.role("incident_commander")
        assert commander.name in text and all(item in text for item in commander.checklist)
        policy = playbook.escalation_policies[0]
        assert policy.name in text and "on call for Primary On-Call" in text
        assert "then escalate after 5m without acknowledgement" in text
        assert all(c.name in text and c.kind.value in text for c in playbook.channels)
        assert all(t.name in text for t in playbook.templates) and all(r.name in text for r in playbook.runbooks)
        for template in playbook.templates:  # the Jinja body, as text inside <pre>
            assert f'<pre class="message">{escape(template.body)}</pre>' in page.text


def test_markup_in_the_playbook_is_text(database_url: str) -> None:
    playbook = load_preset("energy-audit")
    body = "Hello <b>{{ incident.title }}</b> <script>alert(1)</script>"
    changed = playbook.model_copy(
        update={"templates": [playbook.templates[0].model_copy(update={"body": body, "name": "<i>Start</i>"})]}
    )
    app = start_app(database_url, playbook=changed)
    try:
        create_account(app)
        sign_in(app.client)
        page = app.client.get("/playbook").text
        assert "<script>alert(1)</script>" not in page and "<i>Start</i>" not in page
        assert "&lt;b&gt;{{ incident.title }}&lt;/b&gt;" in page and "&lt;i&gt;Start&lt;/i&gt;" in page
    finally:
        app.client.close()
        app.warroom.close()


def test_the_page_needs_a_session(database_url: str) -> None:
    with web_app(database_url) as app:
        answer = app.client.get("/playbook", follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/signin"


@pytest.mark.parametrize("preset", ["greenlang", "launch", "platform", "sre-team"])
def test_every_preset_reads_as_a_page(database_url: str, preset: str) -> None:
    with web_app(database_url, preset=preset) as app:
        create_account(app, person=None)
        sign_in(app.client)
        for path in ("/playbook", "/oncall"):
            answer = app.client.get(path)
            assert answer.status_code == 200, (path, answer.text[-500:])
        text = html.unescape(app.client.get("/playbook").text)
        assert all(s.label in text for s in app.warroom.playbook.severities)
        assert all(p.name in text for p in app.warroom.playbook.escalation_policies)
