"""The acceptance flow in real headless Chromium (Debian `chromium`), against a real server on loopback.

Sign in, declare a SEV-1 from the triage form, acknowledge, assign the IC, post an update from a template,
resolve, open the generated postmortem, add an action item. A screenshot of each step goes to
test-artifacts/web/. Any JavaScript dialog (an injected `alert`) fails the test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.harness.server import ThreadedServer
from tests.web.pages import PASSWORD, create_account, web_app

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
SCRIPT = "<script>alert(1)</script>"

if not CHROMIUM.exists() and not os.environ.get("WARROOM_REQUIRE_BROWSER"):
    pytest.skip(
        "needs Debian chromium at /usr/bin/chromium (CI installs it and sets WARROOM_REQUIRE_BROWSER)",
        allow_module_level=True,
    )

from playwright.sync_api import Dialog, Page, expect, sync_playwright  # noqa: E402


@pytest.fixture
def browser_page() -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        context = browser.new_context(viewport={"width": 1100, "height": 900})
        page = context.new_page()
        dialogs: list[str] = []

        def refuse(dialog: Dialog) -> None:
            dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", refuse)
        yield page
        context.close()
        browser.close()
        assert not dialogs, f"a script ran: {dialogs}"


def _shot(page: Page, number: int, step: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{number:02d}-{step}.png"), full_page=True)


def test_the_incident_flow_in_a_real_browser(sqlite_template: Any, tmp_path: Path, browser_page: Page) -> None:
    from tests.harness.databases import fresh_sqlite

    page = browser_page
    with web_app(fresh_sqlite(sqlite_template, tmp_path)) as app, ThreadedServer(app.client.app) as server:  # type: ignore[arg-type]
        create_account(app, "ana", person="engineer1")
        page.goto(f"{server.url}/")
        expect(page).to_have_url(f"{server.url}/signin")
        page.get_by_label("Username").fill("ana")
        page.get_by_label("Password").fill(PASSWORD)
        _shot(page, 1, "sign-in")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Open incidents")).to_be_visible()
        _shot(page, 2, "dashboard")

        page.get_by_role("link", name="Declare").click()
        page.get_by_label("Title").fill(SCRIPT)
        page.get_by_label("Summary").fill("Checkout returns 500 for everyone")
        page.get_by_label("Are all users affected?").check()
        expect(page.locator("#suggestion")).to_contain_text("SEV-1")  # htmx asked triage
        expect(page.locator("#suggestion")).to_contain_text("all users affected")
        _shot(page, 3, "declare-triage")
        page.get_by_role("button", name="Declare").click()
        expect(page.locator("h1 .ref")).to_have_text("INC-1")
        expect(page.locator(".sev").first).to_have_text("SEV-1")
        expect(page.locator("h1")).to_contain_text(SCRIPT)  # shown as text, not run
        _shot(page, 4, "incident-declared")

        page.get_by_role("button", name="Acknowledge").click()
        expect(page.locator("#acknowledged")).to_contain_text("acknowledged by engineer1")
        _shot(page, 5, "acknowledged")

        page.locator("select[name=role]").select_option("incident_commander")
        page.locator("input[name=person]").fill("engineer2")
        page.get_by_role("button", name="Assign").click()
        expect(page.locator('.holder[data-role="incident_commander"]')).to_have_text("engineer2")
        _shot(page, 6, "ic-assigned")

        update = page.locator("#template-incident-update")
        update.locator("summary").click()
        update.get_by_label("what_we_know (required)").fill("Bad deploy of checkout")
        update.get_by_label("what_we_are_doing (required)").fill("Rolling back")
        update.get_by_label("next_update (required)").fill("in 15 minutes")
        update.get_by_role("button", name="Preview").click()
        expect(page.locator("#preview-incident-update")).to_contain_text("Rolling back")
        _shot(page, 7, "update-preview")
        page.locator("#template-incident-update").get_by_role("button", name="Send").click()
        expect(page.locator("#messages-h ~ ul")).not_to_contain_text("Nothing sent yet")
        _shot(page, 8, "update-sent")

        page.locator("form[action$='/status'] select[name=status]").select_option("resolved")
        page.locator("form[action$='/status'] input[name=note]").fill("Rolled back")
        page.get_by_role("button", name="Change status").click()
        expect(page.locator("#status")).to_have_text("resolved")
        _shot(page, 9, "resolved")

        page.locator("#postmortem-link").click()
        expect(page.get_by_role("heading", name="Document")).to_be_visible()
        _shot(page, 10, "postmortem")
        page.locator("#action-items").get_by_label("Title").fill("Add a canary stage to checkout deploys")
        page.locator("#action-items").get_by_label("Owner").fill("engineer2")
        page.get_by_role("button", name="Add action item").click()
        expect(page.locator("#action-items")).to_contain_text("Add a canary stage to checkout deploys")
        _shot(page, 11, "action-item")

        page.set_viewport_size({"width": 390, "height": 844})  # a phone
        page.goto(f"{server.url}/incidents/INC-1")
        _shot(page, 12, "phone-width")
        assert page.evaluate("document.documentElement.scrollWidth") <= 400
