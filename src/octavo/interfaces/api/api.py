"""The JSON API at /api/v1/ (django-ninja). OpenAPI 3 at /api/v1/openapi.json, docs at /api/v1/docs.

Routes parse input, call services and selectors, and translate errors through errors.py;
they decide nothing themselves (STYLE.md, "The one rule").
"""

from __future__ import annotations

from ninja import NinjaAPI

from octavo.interfaces.api import (
    errors,
    routes_accounts,
    routes_audit,
    routes_catalog,
    routes_circulation,
    routes_district,
    routes_policy,
    routes_records,
)
from octavo.interfaces.api.auth import BearerToken

api = NinjaAPI(
    title="Octavo API",
    version="1",
    description=(
        "Octavo's JSON API. Send `Authorization: Bearer TOKEN` (make one with "
        "`octavo token create USERNAME`). Every error is "
        '`{"error": {"code": ..., "message": ..., "field": ...}}` with the HTTP status: '
        "400 malformed JSON, 401 no or unusable token, 403 not allowed, 404 not found, "
        "409 duplicate, 422 invalid input (the field is named), 500 internal."
    ),
    openapi_url="/openapi.json",
    docs_url="/docs",
    urls_namespace="api",
    auth=BearerToken(),
    parser=errors.JsonParser(),
)
errors.install(api)

api.add_router("", routes_accounts.router)
api.add_router("", routes_district.router)
api.add_router("", routes_audit.router)
api.add_router("", routes_catalog.router)
api.add_router("", routes_records.router)
api.add_router("", routes_circulation.router)
api.add_router("", routes_policy.router)
