"""One schema per operation. Input schemas refuse unknown fields, so a typo is an error, and take
JSON's types as they are (strict): `"name": 5` or `"is_active": "yes"` is refused, not guessed at.
"""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import Annotated, Any

from ninja import Schema
from pydantic import (
    AwareDatetime,
    ConfigDict,
    Field,
    PlainValidator,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError

from octavo.shared.actor import Role

_HOUR_MINUTE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def _hour_minute(value: object) -> time:
    # Only "HH:MM": pydantic's own time type would also take seconds, offsets ("08:00Z") and
    # numbers, which the site calendar cannot use.
    match = _HOUR_MINUTE.match(value) if isinstance(value, str) else None
    if match is None:
        raise PydanticCustomError("hour_minute", "use a 24-hour time as HH:MM, e.g. 08:00")
    return time(int(match[1]), int(match[2]))


HourMinute = Annotated[
    time,
    PlainValidator(_hour_minute),
    WithJsonSchema({"type": "string", "pattern": _HOUR_MINUTE.pattern, "examples": ["08:00"]}),
]
# Enum values arrive as JSON strings, which strict mode would refuse.
RoleIn = Annotated[Role, Field(strict=False)]


class Strict(Schema):
    model_config = ConfigDict(extra="forbid", strict=True)


class RejectNull(Schema):
    """For partial updates: a field left out is kept, and an explicit null is refused rather
    than guessed at (it could mean "clear" or "keep")."""

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise PydanticCustomError("not_null", "may not be null; leave the field out instead")
        return value


class Patch(RejectNull, Strict):
    """A partial update's input (see RejectNull)."""


def _drop_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def optional(description: str | None = None) -> Any:
    """The default of a field that may be left out (kept by a patch; the service's default on
    a create). The field keeps its plain type, not `X | None`, so that an error's location is
    the field's name and the OpenAPI document does not offer null: pydantic never validates a
    default, and `model_fields_set` tells what was sent."""
    return Field(None, description=description, json_schema_extra=_drop_default)


# Errors -------------------------------------------------------------------------------------


class ErrorDetail(Schema):
    code: str = Field(description="a reason code, e.g. invalid, not_found, permission_denied")
    message: str
    field: str | None = Field(description="the input field concerned, dotted; null if none")


class Error(Schema):
    error: ErrorDetail


# Sites and locations ------------------------------------------------------------------------


class Period(Strict):
    weekday: int = Field(ge=0, le=6, description="0 = Monday ... 6 = Sunday")
    opens: HourMinute
    closes: HourMinute


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


class SiteList(Schema):
    items: list[SiteOut]
    count: int


class SiteCreate(Strict):
    code: str = Field(description="1 to 16 letters, digits, '-' or '_'; stored upper-case")
    name: str
    address: str = ""
    time_zone: str = optional("an IANA time zone, e.g. America/Chicago; left out: the default")
    opening_hours: list[Period] = []


class SiteUpdate(Patch):
    name: str = optional()
    address: str = optional()
    time_zone: str = optional()
    is_active: bool = optional()
    opening_hours: list[Period] = optional(
        "replaces all of the site's opening hours; [] closes every day"
    )


class LocationOut(Schema):
    id: int
    site: str
    code: str
    name: str
    is_active: bool


class LocationList(Schema):
    items: list[LocationOut]
    count: int


class LocationCreate(Strict):
    code: str
    name: str


class LocationUpdate(Patch):
    name: str = optional()
    is_active: bool = optional()


# Accounts -----------------------------------------------------------------------------------


class UserOut(Schema):
    username: str
    role: Role
    sites: list[str]
    first_name: str
    last_name: str
    email: str
    is_active: bool


class UserList(Schema):
    items: list[UserOut]
    count: int


class UserCreate(Strict):
    username: str
    role: RoleIn
    sites: list[str] = Field([], description="site codes; may be empty only for district_admin")
    password: str = optional("left out: the account cannot log in until one is set")
    first_name: str = ""
    last_name: str = ""
    email: str = ""


class UserUpdate(Patch):
    role: RoleIn = optional()
    sites: list[str] = optional("site codes; replaces the account's sites")
    first_name: str = optional()
    last_name: str = optional()
    email: str = optional()
    is_active: bool = optional()


# Audit log ----------------------------------------------------------------------------------


class AuditQuery(Schema):
    """Filters arrive as query-string text, so this schema converts (it is not strict)."""

    actor: str = Field("", description="username of who made the change")
    object_type: str = Field("", description="site, location, user, api_token, record, item...")
    action: str = Field("", description="e.g. site.update, user.create")
    site: str = Field("", description="site code")
    since: AwareDatetime | None = Field(None, description="ISO 8601 with offset, inclusive")
    until: AwareDatetime | None = Field(None, description="ISO 8601 with offset, exclusive")
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)


class AuditEntryOut(Schema):
    id: int
    at: datetime
    actor: str
    actor_role: str
    source: str = Field(description="staff, api, cli or system")
    action: str
    object_type: str
    object_id: str
    object: str
    site: str | None = Field(description="code of the site the change is filed under")
    site_id: int | None
    changes: dict[str, Any] = Field(description="{field: [before, after]}")


class AuditPage(Schema):
    items: list[AuditEntryOut]
    count: int = Field(description="entries matching the filters, over all pages")
    limit: int
    offset: int
