"""One schema per operation. Input schemas refuse unknown fields, so a typo is an error."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field


class Strict(Schema):
    model_config = ConfigDict(extra="forbid", strict=False)


class Period(Strict):
    weekday: int = Field(ge=0, le=6, description="0 = Monday ... 6 = Sunday")
    opens: time
    closes: time


class PeriodOut(Schema):
    weekday: int
    opens: str
    closes: str


class SiteOut(Schema):
    code: str
    name: str
    address: str
    time_zone: str
    is_active: bool
    opening_hours: list[PeriodOut]


class SiteCreate(Strict):
    code: str
    name: str
    address: str = ""
    time_zone: str = "America/Los_Angeles"
    opening_hours: list[Period] = []


class SiteUpdate(Strict):
    name: str | None = None
    address: str | None = None
    time_zone: str | None = None
    is_active: bool | None = None
    opening_hours: list[Period] | None = None


class LocationOut(Schema):
    id: int
    site: str
    code: str
    name: str
    is_active: bool


class LocationCreate(Strict):
    code: str
    name: str


class LocationUpdate(Strict):
    name: str | None = None
    is_active: bool | None = None


class UserOut(Schema):
    username: str
    role: str
    sites: list[str]
    first_name: str
    last_name: str
    email: str
    is_active: bool


class UserCreate(Strict):
    username: str
    role: str
    sites: list[str] = []
    password: str | None = None
    first_name: str = ""
    last_name: str = ""
    email: str = ""


class UserUpdate(Strict):
    role: str | None = None
    sites: list[str] | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    is_active: bool | None = None


class AuditEntryOut(Schema):
    id: int
    at: datetime
    actor: str
    actor_role: str
    source: str
    action: str
    object_type: str
    object_id: str
    object: str
    site_id: int | None
    changes: dict[str, Any]


class ErrorDetail(Schema):
    code: str
    message: str
    field: str | None


class Error(Schema):
    error: ErrorDetail


class Page(Schema):
    count: int
    items: list[Any]
