"""The open-data API (``/api/v1``): read-only JSON, CSV and JSON Lines, described in OpenAPI."""
