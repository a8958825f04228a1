"""Issue trackers an action item can be pushed to: Jira and GitHub, each optional and configured by settings."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from warroom.errors import InvalidInput
from warroom.postmortems.trackers.base import Tracker, TrackerError, TrackerIssue
from warroom.postmortems.trackers.github import GitHubTracker
from warroom.postmortems.trackers.jira import JiraTracker
from warroom.settings import Settings

TRACKER_NAMES = ("jira", "github")


@dataclass(frozen=True)
class Trackers:
    configured: dict[str, Tracker] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)  # tracker -> what its configuration lacks

    def get(self, name: str) -> Tracker:
        """The configured tracker; InvalidInput on the `tracker` field otherwise."""
        wanted = name.strip().lower()
        if wanted not in TRACKER_NAMES:
            raise InvalidInput.of("tracker", f"unknown tracker {name!r}; use {' or '.join(TRACKER_NAMES)}")
        tracker = self.configured.get(wanted)
        if tracker is None:
            raise InvalidInput.of("tracker", f"{wanted} is not configured: {self.missing.get(wanted, 'see settings')}")
        return tracker


def trackers_from_settings(settings: Settings, transport: httpx.BaseTransport | None = None) -> Trackers:
    configured: dict[str, Tracker] = {}
    missing: dict[str, str] = {}
    jira_needs = [
        f"WARROOM_{name.upper()}"
        for name, value in (
            ("jira_url", settings.jira_url),
            ("jira_email", settings.jira_email),
            ("jira_api_token", settings.jira_api_token),
            ("jira_project", settings.jira_project),
        )
        if not value
    ]
    if jira_needs:
        missing["jira"] = "set " + ", ".join(jira_needs)
    else:
        assert settings.jira_url and settings.jira_email and settings.jira_api_token and settings.jira_project
        configured["jira"] = JiraTracker(
            settings.jira_url,
            settings.jira_email,
            settings.jira_api_token,
            settings.jira_project,
            settings.jira_issue_type,
            transport=transport,
        )
    github_needs = [
        f"WARROOM_{name.upper()}"
        for name, value in (("github_token", settings.github_token), ("github_repo", settings.github_repo))
        if not value
    ]
    if github_needs:
        missing["github"] = "set " + ", ".join(github_needs)
    else:
        assert settings.github_token and settings.github_repo
        try:
            configured["github"] = GitHubTracker(
                settings.github_api_url,
                settings.github_token,
                settings.github_repo,
                logins=settings.github_logins,
                transport=transport,
            )
        except ValueError as error:
            missing["github"] = f"WARROOM_GITHUB_REPO: {error}"
    return Trackers(configured, missing)


__all__ = [
    "TRACKER_NAMES",
    "GitHubTracker",
    "JiraTracker",
    "Tracker",
    "TrackerError",
    "TrackerIssue",
    "Trackers",
    "trackers_from_settings",
]
