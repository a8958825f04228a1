"""What a report shows: the API's JSON and what the CLI renders. Durations are in seconds."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class DurationView(BaseModel):
    n: int = Field(description="Incidents with a value.")
    of: int = Field(description="Incidents considered.")
    missing: int
    missing_reason: str = Field(description="Why the others have no value: open, not acknowledged, ...")
    mean_seconds: float | None
    p50_seconds: float | None
    p90_seconds: float | None
    note: str = Field(description='"n=12 of 15, 3 open"')


class GroupView(BaseModel):
    key: str
    label: str
    incidents: int
    open: int
    time_to_detect: DurationView
    time_to_acknowledge: DurationView
    time_to_mitigate: DurationView
    time_to_resolve: DurationView = Field(description="MTTR: resolved - started.")
    time_to_resolve_from_detection: DurationView = Field(description="resolved - detected, shown beside MTTR.")


class BucketView(BaseModel):
    label: str
    start: datetime
    end: datetime
    incidents: int
    by_severity: dict[str, int]
    mttr_seconds: float | None = Field(
        None, description="Mean time to resolve (resolved - started) of the bucket's resolved incidents."
    )


class FrequencyView(BaseModel):
    severity: str
    label: str
    incidents: int
    per_week: float
    per_month: float
    last_at: datetime | None


class DetectionView(BaseModel):
    total: int
    automated: int = Field(description="Opened by an alert.")
    user_reported: int
    manual: int = Field(description="Declared by a responder.")
    other: dict[str, int]
    automated_rate: float | None
    user_reported_rate: float | None
    manual_rate: float | None


class PostmortemView(BaseModel):
    total: int
    required: int
    published: int
    skipped: int
    overdue: int
    completion_rate: float | None = Field(description="published / required")
    on_time_eligible: int = Field(description="Required, and published or past due.")
    on_time: int
    on_time_rate: float | None


class ActionItemView(BaseModel):
    created: int
    open: int
    in_progress: int
    done: int
    wont_do: int
    closed: int
    closure_rate: float | None = Field(description="(done + won't do) / created in the window")
    overdue: int


class PersonLoadView(BaseModel):
    person: str
    name: str
    timezone: str
    pages: int
    incidents: int
    night_pages: int


class OnCallLoadView(BaseModel):
    night_start: str
    night_end: str
    night_source: str = Field(description="playbook (compensation.overnight_start/end) or default")
    pages: int
    people: list[PersonLoadView]


class Report(BaseModel):
    since: datetime
    until: datetime
    period: str | None
    generated_at: datetime
    timezone: str = Field(description="The playbook's: weeks and months are cut in it.")
    percentile_method: str
    incidents: int
    open: int
    duplicates_excluded: int
    overall: GroupView
    by_severity: list[GroupView]
    by_service: list[GroupView]
    weeks: list[BucketView]
    months: list[BucketView]
    most_severe: FrequencyView
    detection: DetectionView
    postmortems: PostmortemView
    action_items: ActionItemView
    on_call: OnCallLoadView
    notes: list[str]
