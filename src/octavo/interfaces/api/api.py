"""The JSON API at /api/v1/ (django-ninja; OpenAPI 3 at /api/v1/openapi.json)."""

from ninja import NinjaAPI

api = NinjaAPI(title="Octavo API", version="1", urls_namespace="api")
