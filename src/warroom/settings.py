"""Configuration from WARROOM_* environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

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
    # Client side (the CLI in the manner of `gh`).
    url: str = "http://127.0.0.1:8080"
    token: SecretStr | None = None

    def playbook_source(self) -> tuple[str, Path | None]:
        """('file', path) for a playbook file, or ('preset', None) for the configured preset."""
        if self.playbook is not None:
            return "file", self.playbook
        local = Path("playbook.yaml")
        if local.is_file():
            return "file", local
        return "preset", None
