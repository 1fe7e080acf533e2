"""The OpenAPI 3.1 document of the open-data API, kept by hand beside the routes.

Each endpoint's real responses are validated against the schemas below by the tests
(``tests/test_api.py``), so the document cannot drift from what the API sends.
"""

from functools import cache

from ..i18n import LANGUAGES

TEXTS = {
    "type": "object",
    "description": "A text in each interface language.",
    "properties": {language: {"type": "string"} for language in LANGUAGES},
    "required": list(LANGUAGES),
    "additionalProperties": False,
}
NULLABLE_STRING = {"type": ["string", "null"]}
TIME = {"type": "string", "format": "date-time"}
NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}

SCHEMAS = {
    "Error": {
        "type": "object",
        "properties": {
            "error": {
                "type": "object",
                "properties": {
                    "status": {"type": "integer", "minimum": 400, "maximum": 599},
                    "code": {"type": "string", "examples": ["not_found", "bad_cursor"]},
                    "message": {"type": "string"},
                },
                "required": ["status", "code", "message"],
                "additionalProperties": False,
            }
        },
        "required": ["error"],
        "additionalProperties": False,
    },
    "Links": {
        "type": "object",
        "properties": {
            name: {"type": "string", "format": "uri"}
            for name in (
                "self",
                "page",
                "results",
                "contributions",
                "contributionsCsv",
                "contributionsJsonl",
            )
        },
        "required": ["self", "page", "results"],
        "additionalProperties": False,
    },
    "ConsultationSummary": {
        "type": "object",
        "properties": {
            "slug": {"type": "string", "examples": ["apply-ai"]},
            "title": {"$ref": "#/components/schemas/Texts"},
            "summary": {"$ref": "#/components/schemas/Texts"},
            "state": {"enum": ["upcoming", "open", "closed"]},
            "opensAt": TIME,
            "closesAt": {
                **TIME,
                "description": "The first instant contributions are refused: midnight at the "
                "end of the closing day, Brussels time (given in UTC).",
            },
            "closedAt": {**NULLABLE_TIME, "description": "When an admin closed it by hand."},
            "resultsAvailable": {"type": "boolean"},
            "contributionsPublished": {"type": "boolean"},
            "links": {"$ref": "#/components/schemas/Links"},
        },
        "required": [
            "slug",
            "title",
            "summary",
            "state",
            "opensAt",
            "closesAt",
            "closedAt",
            "resultsAvailable",
            "contributionsPublished",
            "links",
        ],
        "additionalProperties": False,
    },
    "Texts": TEXTS,
    "Option": {
        "type": "object",
        "properties": {"key": {"type": "string"}, "label": {"$ref": "#/components/schemas/Texts"}},
        "required": ["key", "label"],
        "additionalProperties": False,
    },
    "Question": {
        "type": "object",
        "properties": {
            "key": {"type": "string"},
            "type": {"type": "string", "examples": ["single_choice", "matrix", "long_text"]},
            "section": NULLABLE_STRING,
            "text": {"$ref": "#/components/schemas/Texts"},
            "field": {
                "type": "string",
                "description": "The contribution field this question fills (userType, country...).",
            },
            "options": {"type": "array", "items": {"$ref": "#/components/schemas/Option"}},
            "rows": {"type": "array", "items": {"$ref": "#/components/schemas/Option"}},
        },
        "required": ["key", "type", "section", "text"],
        "additionalProperties": False,
    },
    "Outcome": {
        "type": ["object", "null"],
        "properties": {
            "decisionTitle": {"type": "string", "examples": ["COM(2025) 723"]},
            "decisionUrl": NULLABLE_STRING,
            "decisionDate": {"type": ["string", "null"], "format": "date"},
            "reportUrl": NULLABLE_STRING,
            "publishedAt": TIME,
        },
        "required": ["decisionTitle", "decisionUrl", "decisionDate", "reportUrl", "publishedAt"],
        "additionalProperties": False,
    },
    "ConsultationList": {
        "type": "object",
        "properties": {
            "consultations": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/ConsultationSummary"},
            }
        },
        "required": ["consultations"],
        "additionalProperties": False,
    },
    "OptionCount": {
        "type": "object",
        "properties": {
            "key": {"type": "string"},
            "label": {"type": "string"},
            "count": {"type": "integer", "minimum": 0},
            "ranked": {"type": "integer", "minimum": 0},
            "rankSum": {"type": "integer", "minimum": 0},
            "first": {"type": "integer", "minimum": 0},
        },
        "required": ["key", "label"],
        "additionalProperties": False,
    },
    "QuestionResult": {
        "type": "object",
        "properties": {
            "key": {"type": "string"},
            "type": {"type": "string"},
            "text": {"type": "string"},
            "answered": {"type": "integer", "minimum": 0},
            "options": {"type": "array", "items": {"$ref": "#/components/schemas/OptionCount"}},
            "rows": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "key": {"type": "string"},
                        "label": {"type": "string"},
                        "answered": {"type": "integer", "minimum": 0},
                        "options": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/OptionCount"},
                        },
                    },
                    "required": ["key", "label", "answered", "options"],
                    "additionalProperties": False,
                },
            },
            "numbers": {
                "type": "object",
                "properties": {
                    "count": {"type": "integer"},
                    "min": {"type": "number"},
                    "max": {"type": "number"},
                    "mean": {"type": "number"},
                },
                "required": ["count", "min", "max", "mean"],
                "additionalProperties": False,
            },
        },
        "required": ["key", "type", "text", "answered"],
        "additionalProperties": False,
    },
    "Results": {
        "type": "object",
        "properties": {
            "slug": {"type": "string"},
            "state": {"enum": ["upcoming", "open", "closed"]},
            "final": {"type": "boolean", "description": "False while still open: counts move."},
            "language": {"enum": list(LANGUAGES)},
            "respondents": {"type": "integer", "minimum": 0},
            "questions": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/QuestionResult"},
            },
        },
        "required": ["slug", "state", "final", "language", "respondents", "questions"],
        "additionalProperties": False,
    },
    "Contribution": {
        "type": "object",
        "description": "A published contribution: only what its respondent's choice publishes.",
        "properties": {
            "id": {"type": "string", "description": "The public ID (not the private reference)."},
            "submittedAt": {**TIME, "description": "When it was sent (UTC)."},
            "publication": {
                "enum": ["public", "anonymous"],
                "description": "The respondent's choice: published with their name, or not.",
            },
            "userType": {
                **NULLABLE_STRING,
                "description": "Who answered: eu_citizen, company, ngo, public_authority...",
            },
            "country": {**NULLABLE_STRING, "description": "ISO 3166-1 alpha-2"},
            "language": {**NULLABLE_STRING, "description": "ISO 639-1"},
            "companySize": {
                **NULLABLE_STRING,
                "enum": ["micro", "small", "medium", "large", None],
                "description": "An organisation's size (micro: 1-9, small: 10-49, medium: "
                "50-249, large: 250 or more employees).",
            },
            "organization": {**NULLABLE_STRING, "description": "An organisation's name."},
            "firstName": {
                **NULLABLE_STRING,
                "description": "A citizen's name, only if they chose 'public'.",
            },
            "surname": {**NULLABLE_STRING, "description": "As firstName."},
            "trNumber": {
                **NULLABLE_STRING,
                "description": "An organisation's EU Transparency Register number.",
            },
            "hasAttachment": {
                "type": "boolean",
                "description": "Whether a document it sent was approved for publication.",
            },
            "redacted": {
                "type": "boolean",
                "description": "Whether moderators removed words from its texts.",
            },
            "answers": {
                "type": "object",
                "description": "Published answers by question key: an option key, a list of "
                "keys, {row: point} for a matrix, {option: rank} for a ranking, a number, or "
                "a text with '[removed]' where words were removed.",
            },
            "campaigns": {
                "type": "array",
                "description": "The campaigns it is part of: groups of at least 10 "
                "near-identical answers (copies of one text, even reworded), numbered as in "
                "the summary report, with how many answers each holds (published or not); "
                "groups an analyst judged not to be a campaign are left out. Not in the bulk "
                "files.",
                "items": {"$ref": "#/components/schemas/Campaign"},
            },
            "attachments": {
                "type": "array",
                "description": "Its approved documents (one contribution's page only).",
                "items": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "contentType": {"type": "string"},
                        "size": {"type": "integer"},
                        "url": {"type": "string", "format": "uri"},
                    },
                    "required": ["name", "contentType", "size", "url"],
                    "additionalProperties": False,
                },
            },
            "links": {
                "type": "object",
                "description": "Its address in the API (self) and its public page (page).",
                "properties": {
                    "self": {"type": "string", "format": "uri"},
                    "page": {"type": "string", "format": "uri"},
                },
                "required": ["self"],
                "additionalProperties": False,
            },
        },
        "required": [
            "id",
            "submittedAt",
            "publication",
            "userType",
            "country",
            "language",
            "companySize",
            "organization",
            "firstName",
            "surname",
            "trNumber",
            "hasAttachment",
        ],
        "additionalProperties": False,
    },
    "ContributionPage": {
        "type": "object",
        "properties": {
            "slug": {"type": "string"},
            "filters": {"type": "object", "additionalProperties": {"type": ["string", "boolean"]}},
            "contributions": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/Contribution"},
            },
            "next": {
                **NULLABLE_STRING,
                "description": "The cursor of the next page; null on the last page.",
            },
            "links": {
                "type": "object",
                "properties": {
                    "self": {"type": "string", "format": "uri"},
                    "next": {"type": ["string", "null"], "format": "uri"},
                },
                "required": ["self", "next"],
                "additionalProperties": False,
            },
        },
        "required": ["slug", "filters", "contributions", "next", "links"],
        "additionalProperties": False,
    },
    "Campaign": {
        "type": "object",
        "properties": {
            "number": {"type": "integer", "description": "Its number (campaign 3)."},
            "size": {"type": "integer", "minimum": 2, "description": "Answers in it."},
            "question": {
                **NULLABLE_STRING,
                "description": "The key of the question whose answers were compared; null "
                "for the whole contribution's free text.",
            },
        },
        "required": ["number", "size", "question"],
        "additionalProperties": False,
    },
    "TextLine": {
        "type": "object",
        "description": "One line of a per-question JSON Lines file.",
        "properties": {"response_id": {"type": "string"}, "text": {"type": "string"}},
        "required": ["response_id", "text"],
        "additionalProperties": False,
    },
}

SCHEMAS["Consultation"] = {
    "type": "object",
    "properties": {
        **SCHEMAS["ConsultationSummary"]["properties"],
        "questions": {"type": "array", "items": {"$ref": "#/components/schemas/Question"}},
        "outcome": {"$ref": "#/components/schemas/Outcome"},
    },
    "required": [*SCHEMAS["ConsultationSummary"]["required"], "questions", "outcome"],
    "additionalProperties": False,
}

_LISTED = ("trNumber", "answers", "attachments", "redacted")
SCHEMAS["ContributionListItem"] = {
    "type": "object",
    "description": "A published contribution in a list: its fields and the start of its text.",
    "properties": {
        **{
            name: schema
            for name, schema in SCHEMAS["Contribution"]["properties"].items()
            if name not in _LISTED
        },
        "excerpt": {**NULLABLE_STRING, "description": "The start of its first published text."},
    },
    "required": [
        *(name for name in SCHEMAS["Contribution"]["required"] if name not in _LISTED),
        "excerpt",
        "campaigns",
        "links",
    ],
    "additionalProperties": False,
}
SCHEMAS["ContributionPage"]["properties"]["contributions"]["items"] = {
    "$ref": "#/components/schemas/ContributionListItem"
}

SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
LANG = {
    "name": "lang",
    "in": "query",
    "description": (
        "Language of the labels (default en): one of the official languages whose "
        "translation is complete on this site; any other gives 400 bad_language."
    ),
    "schema": {"enum": list(LANGUAGES)},
}
FILTERS = [
    {"name": "userType", "in": "query", "schema": {"type": "string"}, "example": "company"},
    {"name": "country", "in": "query", "schema": {"type": "string", "pattern": "^[A-Z]{2}$"}},
    {"name": "language", "in": "query", "schema": {"type": "string", "pattern": "^[a-z]{2}$"}},
    {
        "name": "companySize",
        "in": "query",
        "schema": {"enum": ["micro", "small", "medium", "large"]},
    },
    {"name": "hasAttachment", "in": "query", "schema": {"type": "boolean"}},
    {
        "name": "q",
        "in": "query",
        "description": "Words to find in the published free texts.",
        "schema": {"type": "string", "maxLength": 200},
    },
]
PAGING = [
    {
        "name": "cursor",
        "in": "query",
        "description": "The `next` value of the previous page.",
        "schema": {"type": "string"},
    },
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
]


def _error(description):
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _json(schema, description="OK"):
    return {
        "description": description,
        "headers": {
            "ETag": {"schema": {"type": "string"}},
            "Last-Modified": {"schema": {"type": "string"}},
        },
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


ERRORS = {
    "304": {"description": "Not modified (the `If-None-Match` ETag is current)."},
    "400": _error("A bad parameter, filter or cursor."),
    "404": _error("No such consultation or contribution, or not published."),
    "405": _error("Only GET, HEAD and OPTIONS."),
    "429": _error("Too many requests from this client; see Retry-After."),
}


def _get(operation_id, summary, response, parameters=(), extra=None):
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "parameters": list(parameters),
            "responses": {"200": response, **ERRORS, **(extra or {})},
        }
    }


def _file(media_type, description, schema=None):
    content = {"schema": schema or {"type": "string"}}
    return {"description": description, "content": {media_type: content}}


@cache
def _document() -> dict:
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": "Public consultations: open data",
            "version": "1.0.0",
            "description": (
                "Read-only data of the public consultations: the consultations, the counts "
                "per question once closed, and the contributions published as their "
                "respondents chose (a name only when they chose 'public'; e-mail addresses "
                "never). Field names follow the European Commission's Have Your Say data. "
                "Every response has an ETag (send it back in If-None-Match for a 304); GET "
                "is open to every origin (CORS); requests are rate-limited per client; "
                "every error is a JSON body."
            ),
            "license": {"name": "CC BY 4.0", "identifier": "CC-BY-4.0"},
        },
        "paths": {
            "/api/v1/consultations": _get(
                "listConsultations", "Every consultation", _json("ConsultationList")
            ),
            "/api/v1/consultations/{slug}": _get(
                "getConsultation",
                "One consultation, its published questions and its outcome",
                _json("Consultation"),
                [SLUG],
            ),
            "/api/v1/consultations/{slug}/results": _get(
                "getResults",
                "Counts per question and option (once closed, or while open if published)",
                _json("Results"),
                [SLUG, LANG],
            ),
            "/api/v1/consultations/{slug}/contributions": _get(
                "listContributions",
                "Published contributions, newest first, with filters and a cursor",
                _json("ContributionPage"),
                [SLUG, *FILTERS, *PAGING],
            ),
            "/api/v1/consultations/{slug}/contributions/{public_id}": _get(
                "getContribution",
                "One published contribution",
                _json("Contribution"),
                [
                    SLUG,
                    {
                        "name": "public_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    },
                ],
            ),
            "/api/v1/consultations/{slug}/contributions.csv": _get(
                "contributionsCsv",
                "Every published contribution as CSV (UTF-8, streamed)",
                _file("text/csv", "One row per contribution, one column per answer."),
                [SLUG],
            ),
            "/api/v1/consultations/{slug}/contributions.jsonl": _get(
                "contributionsJsonl",
                "Every published contribution as JSON Lines (streamed)",
                _file(
                    "application/x-ndjson",
                    "One Contribution object per line.",
                    {"$ref": "#/components/schemas/Contribution"},
                ),
                [SLUG],
            ),
            "/api/v1/consultations/{slug}/texts/{question}.jsonl": _get(
                "questionTexts",
                "The published answers to one free-text question, for text-analysis tools",
                _file(
                    "application/x-ndjson",
                    'One {"response_id": ..., "text": ...} per line.',
                    {"$ref": "#/components/schemas/TextLine"},
                ),
                [
                    SLUG,
                    {
                        "name": "question",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    },
                ],
            ),
            "/api/v1/openapi.json": _get(
                "openapi",
                "This document",
                {
                    "description": "OpenAPI 3.1",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
            ),
        },
        "components": {"schemas": SCHEMAS},
    }


def document(app=None) -> dict:
    """The OpenAPI document (the same object each time: do not change it)."""
    return _document()
