"""Configuration from WARROOM_* environment variables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SecretsSettingsSource,
    SettingsConfigDict,
)

DEFAULT_PRESET = "sre-team"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WARROOM_", extra="ignore")

    database_url: str = "sqlite:///./warroom.db"
    playbook: Path | None = Field(None, description="Playbook file; else ./playbook.yaml; else the default preset.")
    preset: str = DEFAULT_PRESET
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str = "http://127.0.0.1:8080"
    max_body_bytes: int = 1024 * 1024
    log_level: str = "info"
    engine: bool = Field(True, description="Run the engine (timers) in this server process.")
    noop_endpoint: bool = Field(False, description="Serve POST /_bench/noop, the ceiling bench/ingest.py measures.")
    page_webhook_url: str | None = Field(
        None, description="Pages are POSTed here as signed JSON; without it they go to the console (the log)."
    )
    page_webhook_secret: SecretStr | None = Field(None, description="HMAC-SHA256 key for X-Warroom-Signature.")
    clock_file: Path | None = Field(
        None, description="Tests and drills only: read the time from this file instead of the system clock."
    )
    secret_key: SecretStr | None = Field(
        None, description="Signs acknowledgement links; without it the instance generates and keeps its own."
    )
    status_page_name: str | None = Field(
        None, description="The public status page's name; without it, the playbook's name."
    )

    # ---- delivery: where each contact method goes. Unconfigured methods fall back to the page webhook,
    # then to the console. Credentials come from the environment or from files in WARROOM_SECRETS_DIR.
    delivery_attempts: int = Field(3, ge=1, le=20, description="Attempts of one page before the next method.")
    message_attempts: int = Field(8, ge=1, le=50, description="Attempts of a chat post, e-mail or webhook.")
    bundle_window_seconds: float = Field(
        30.0, ge=0, description="Pages to one person by one method this close together go as one message."
    )
    audience_recipients: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Playbook channel key -> addresses (JSON), e.g. the customer and leadership e-mail lists.",
    )
    rate_limits: dict[str, int] = Field(
        default_factory=dict, description="Messages a minute per channel, over the defaults (JSON: {\"sms\": 30})."
    )
    slack_api_url: str = "https://slack.com/api/"
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_webhook_url: SecretStr | None = Field(None, description="Incoming webhook: channel posts without a bot.")
    mattermost_command_token: SecretStr | None = None
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_security: Literal["none", "starttls", "tls"] = "starttls"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "Warroom <warroom@localhost>"
    smtp_ca_file: Path | None = Field(None, description="Trust this CA for the SMTP server's certificate.")
    twilio_api_url: str = "https://api.twilio.com"
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_from: str | None = None
    ntfy_url: str | None = None
    ntfy_token: SecretStr | None = None
    teams_webhook_urls: dict[str, SecretStr] = Field(
        default_factory=dict, description="Teams incoming webhook URL per playbook channel key (JSON object)."
    )
    webhook_urls: dict[str, SecretStr] = Field(
        default_factory=dict, description="Webhook URL per playbook channel key (JSON object)."
    )

    # ---- action-item trackers (issue 7): optional. With these set, an action item can be pushed to Jira or
    # GitHub as an issue (`warroom action push`). Tokens are secrets: environment or WARROOM_SECRETS_DIR files.
    jira_url: str | None = Field(None, description="Jira Cloud base URL, e.g. https://example.atlassian.net")
    jira_email: str | None = Field(None, description="The Atlassian account the API token belongs to.")
    jira_api_token: SecretStr | None = None
    jira_project: str | None = Field(None, description="Project key new issues go to, e.g. OPS.")
    jira_issue_type: str = "Task"
    github_api_url: str = "https://api.github.com"
    github_token: SecretStr | None = None
    github_repo: str | None = Field(None, description="'owner/name' of the repository new issues go to.")
    github_logins: dict[str, str] = Field(
        default_factory=dict, description="Person key -> GitHub login, so an owner becomes the assignee (JSON)."
    )

    # Client side (the CLI in the manner of `gh`).
    url: str = "http://127.0.0.1:8080"
    token: SecretStr | None = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Environment first, then secret files (WARROOM_SECRETS_DIR, else /run/secrets if present):
        a file named like the variable (`WARROOM_SMTP_PASSWORD`) holds the value."""
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        directory = os.environ.get("WARROOM_SECRETS_DIR") or ("/run/secrets" if Path("/run/secrets").is_dir() else None)
        if directory:
            sources.append(SecretsSettingsSource(settings_cls, secrets_dir=directory))
        return tuple(sources)

    def playbook_source(self) -> tuple[str, Path | None]:
        """('file', path) for a playbook file, or ('preset', None) for the configured preset."""
        if self.playbook is not None:
            return "file", self.playbook
        local = Path("playbook.yaml")
        if local.is_file():
            return "file", local
        return "preset", None
