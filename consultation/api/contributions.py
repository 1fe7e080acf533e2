"""The published contributions in the API: a page, one contribution, and the bulk files.

Every read goes through ``publishing.queries`` (what is public) and ``records`` (what of
it); the bulk files stream, one batch of rows at a time, so memory stays flat.
"""

import csv
import io
import json
import re

from flask import Response as HttpResponse
from flask import request, send_file, stream_with_context
from sqlalchemy import case, func, select

from ..campaigns.models import REJECTED, CampaignGroup
from ..campaigns.queries import public_campaigns
from ..consultations.models import Consultation
from ..extensions import db
from ..publishing import queries
from ..publishing.models import ItemReview, Redaction
from ..publishing.queries import Filters, InvalidCursor
from ..reports.export import safe
from ..responses.models import Response
from ..urls import external_url
from . import files, records
from .documents import iso
from .http import ApiError, conditional, etag_of, json_response
from .views import _consultation, bp, contributions_public

#: Query parameters of the list, as Have Your Say names them, and the filter each sets.
FILTER_PARAMETERS = {
    "userType": "respondent_type",
    "country": "country",
    "language": "language",
    "companySize": "organisation_size",
    "hasAttachment": "has_attachment",
}
KNOWN = {*FILTER_PARAMETERS, "q", "cursor", "limit", "lang"}
COUNTRY = re.compile(r"^[A-Z]{2}$")
LANGUAGE = re.compile(r"^[a-z]{2}$")
SIZES = ("micro", "small", "medium", "large")
DEFAULT_LIMIT = 20


def _bad(message, code="bad_filter"):
    return ApiError(400, message, code)


def _filters(consultation) -> tuple[Filters, dict]:
    """The filters of the query string, checked: a value no contribution can have is a 400."""
    unknown = sorted(set(request.args) - KNOWN)
    if unknown:
        raise _bad(
            f"Unknown parameter {unknown[0]!r}; known: {', '.join(sorted(KNOWN))}.",
            "unknown_parameter",
        )
    values, echoed = {}, {}
    types = consultation.questionnaire.profile_questions().get("respondent_type")
    for name, field in FILTER_PARAMETERS.items():
        value = request.args.get(name)
        if value is None or value == "":
            continue
        if name == "userType" and types is not None and value not in types.option_keys:
            raise _bad(f"userType must be one of {', '.join(types.option_keys)}.")
        if name == "country" and not COUNTRY.match(value):
            raise _bad("country must be an ISO 3166-1 alpha-2 code in capitals, such as BE.")
        if name == "language" and not LANGUAGE.match(value):
            raise _bad("language must be an ISO 639-1 code in small letters, such as fr.")
        if name == "companySize" and value not in SIZES:
            raise _bad(f"companySize must be one of {', '.join(SIZES)}.")
        if name == "hasAttachment":
            if value not in ("true", "false"):
                raise _bad("hasAttachment must be true or false.")
            echoed[name] = value == "true"
            values[field] = echoed[name]
            continue
        values[field] = echoed[name] = value
    search = (request.args.get("q") or "").strip()
    if len(search) > 200:
        raise _bad("q must be at most 200 characters.")
    if search:
        echoed["q"] = search
    return Filters(**values), echoed


def _limit() -> int:
    raw = request.args.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= queries.MAX_LIMIT:
        raise _bad(f"limit must be a whole number from 1 to {queries.MAX_LIMIT}.", "bad_limit")
    return int(raw)


def _link_prefixes(slug) -> tuple[str, str]:
    """The addresses of a contribution in the API and on the public pages, but its ID: built
    once per page (an absolute URL costs a URL map binding)."""
    return (
        external_url("api.contributions", slug=slug) + "/",
        external_url("publishing.contributions", slug=slug) + "/",
    )


def _listed(prefixes, row) -> dict:
    api, page = prefixes
    return {
        "id": row.public_id,
        "submittedAt": iso(row.submitted_at),
        "publication": row.publication,
        "userType": row.respondent_type,
        "country": row.country,
        "language": row.language,
        "companySize": row.organisation_size,
        "organization": row.organisation_name,
        "firstName": row.first_name,
        "surname": row.surname,
        "hasAttachment": row.has_attachment,
        "excerpt": row.excerpt,
        "campaigns": [records.campaign_dict(campaign) for campaign in row.campaigns],
        "links": {"self": api + row.public_id, "page": page + row.public_id},
    }


@bp.get("/consultations/<slug>/contributions")
def contributions(slug):
    """A page of published contributions, newest first: filters, search and a cursor."""
    consultation = _consultation(slug)
    filters, echoed = _filters(consultation)
    limit, cursor = _limit(), request.args.get("cursor") or None
    try:
        page = queries.published_contributions(
            consultation, filters, echoed.get("q"), after=cursor, limit=limit
        )
    except InvalidCursor:
        raise _bad(
            "cursor is not one this API gave; start again without it.", "bad_cursor"
        ) from None
    args = {name: request.args[name] for name in request.args if name != "cursor"}
    prefixes = _link_prefixes(slug)
    data = {
        "slug": consultation.slug,
        "filters": echoed,
        "contributions": [_listed(prefixes, row) for row in page.rows],
        "next": page.next_cursor,
        "links": {
            "self": external_url("api.contributions", slug=slug, **request.args),
            "next": external_url("api.contributions", slug=slug, **args, cursor=page.next_cursor)
            if page.next_cursor
            else None,
        },
    }
    return json_response(data)


@bp.get("/consultations/<slug>/contributions/<public_id>")
def contribution(slug, public_id):
    """One published contribution: what its respondent's choice publishes, redactions marked."""
    consultation = _consultation(slug)
    response = queries.published_by_public_id(consultation, public_id)
    if response is None:
        raise ApiError(404, "No published contribution has this ID.", "not_found")
    data = records.one_record(consultation, response)
    data["campaigns"] = [
        records.campaign_dict(campaign)
        for campaign in public_campaigns(consultation, [response.id]).get(response.id, [])
    ]
    data["attachments"] = [
        {
            "name": item.name,
            "contentType": item.content_type,
            "size": item.size,
            "url": external_url(
                "publishing.attachment", slug=slug, public_id=public_id, upload_id=item.id
            ),
        }
        for item in queries.published_files(response)
    ]
    data["links"] = {
        "self": external_url("api.contribution", slug=slug, public_id=public_id),
        "page": external_url("publishing.contribution", slug=slug, public_id=public_id),
    }
    return json_response(data, response.moderated_at)


# -- bulk files ---------------------------------------------------------------------------


def version_of(consultation) -> str:
    """An ETag for a bulk file, from what it is made of (not its bytes, which stream)."""
    # Public IDs are random: two databases (a restored copy, a test's) never give one version
    # to different contributions, though their ids and counts may agree.
    published = queries.published_select(consultation).with_only_columns(
        func.count(),
        func.max(Response.id),
        func.max(Response.moderated_at),
        func.min(Response.public_id),
        func.max(Response.public_id),
    )
    counted = db.session.execute(published).one()
    reviews = db.session.execute(
        select(func.count(), func.max(ItemReview.decided_at))
        .join(Response, Response.id == ItemReview.response_id)
        .where(Response.consultation_id == consultation.id)
    ).one()
    redactions = db.session.execute(
        select(func.count(), func.max(Redaction.created_at))
        .join(Response, Response.id == Redaction.response_id)
        .where(Response.consultation_id == consultation.id)
    ).one()
    # The campaigns each record is in: a new grouping or an analyst's decision is a new file.
    groups = db.session.execute(
        select(
            func.count(),
            func.max(CampaignGroup.id),
            func.max(CampaignGroup.grouped_at),
            func.max(CampaignGroup.decided_at),
            func.count(CampaignGroup.decision),
            func.sum(case((CampaignGroup.decision == REJECTED, 1), else_=0)),
        ).where(CampaignGroup.consultation_id == consultation.id)
    ).one()
    return etag_of(
        consultation.id,
        consultation.updated_at,
        contributions_public(consultation),
        tuple(counted),
        tuple(reviews),
        tuple(redactions),
        tuple(groups),
    )


def _bulk(slug, name, media_type, chunks):
    """A bulk file: the prepared one of the current version, else streamed live (and the
    file prepared by a job for the next request)."""
    consultation = _consultation(slug)
    version = version_of(consultation)
    headers = {"Content-Disposition": f'attachment; filename="{consultation.slug}-{name}"'}
    path = files.prepared_path(consultation, name, version)
    if version in request.if_none_match:
        return conditional(HttpResponse(status=200), version)  # a 304, opening nothing
    if path.is_file():
        response = send_file(path, mimetype=media_type, conditional=False, etag=False)
        response.headers.update(headers)
        return conditional(response, version)
    if request.method != "HEAD":
        files.prepare_later(consultation, version)
    consultation_id = consultation.id

    def body():
        # The view's session is closed once it returns: the stream reads in a fresh one.
        yield from chunks(db.session.get(Consultation, consultation_id))

    response = HttpResponse(
        stream_with_context(body()) if request.method != "HEAD" else [], mimetype=media_type
    )
    response.headers.update(headers)
    return conditional(response, version)


def _jsonl_chunks(items):
    """JSON Lines, a few hundred lines per chunk."""
    buffer = []
    for item in items:
        buffer.append(json.dumps(item, ensure_ascii=False, separators=(",", ":")))
        if len(buffer) >= 500:
            yield "\n".join(buffer) + "\n"
            buffer = []
    if buffer:
        yield "\n".join(buffer) + "\n"


@bp.get("/consultations/<slug>/contributions.jsonl")
def bulk_jsonl(slug):
    """Every published contribution, one JSON object per line, oldest first."""
    return _bulk(slug, "contributions.jsonl", "application/x-ndjson", _jsonl_records)


def _jsonl_records(consultation):
    return _jsonl_chunks(records.all_records(consultation))


def csv_columns(plan) -> list[tuple[str, str, str | None]]:
    """(column name, question key, part) of the CSV: the fields, then the answers flat."""
    columns = [(name, None, None) for name in records.FIELDS]
    columns.append(("campaigns", None, None))  # number:size:question; ... (``_cell``)
    for _record_id, question in plan.order:
        if question.key == records.REGISTER_KEY:
            continue
        if question.kind == "matrix":
            columns += [(f"{question.key}:{row}", question.key, row) for row in question.row_keys]
        elif question.kind == "ranking":
            columns += [(f"{question.key}:{o}", question.key, o) for o in question.option_keys]
        else:
            columns.append((question.key, question.key, None))
            if getattr(question, "other_key", None):
                columns.append((f"{question.key}:other", question.key, "other"))
    return columns


def _cell(record, key, part):
    if key is None and part == "campaigns":
        return "; ".join(
            f"{c['number']}:{c['size']}:{c['question'] or ''}" for c in record["campaigns"]
        )
    if key is None:
        return record[part] if part else None
    value = record["answers"].get(key)
    if value is None:
        return None
    chosen = value["chosen"] if isinstance(value, dict) and "chosen" in value else value
    if part == "other":
        return value.get("other") if isinstance(value, dict) and "chosen" in value else None
    if part is not None:
        return chosen.get(part) if isinstance(chosen, dict) else None
    if isinstance(chosen, list):
        return ";".join(chosen)
    return chosen


def _csv_chunks(consultation):
    plan = records.Plan(consultation)
    columns = csv_columns(plan)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([name for name, _k, _p in columns])
    count = 0
    for record in records.all_records(consultation):
        row = []
        for name, key, part in columns:
            value = _cell(record, key, name if key is None else part)
            if isinstance(value, bool):
                value = "true" if value else "false"
            row.append("" if value is None else safe(value))
        writer.writerow(row)
        count += 1
        if count % 500 == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


@bp.get("/consultations/<slug>/contributions.csv")
def bulk_csv(slug):
    """Every published contribution as CSV: one row each, one column per answer (or part)."""
    return _bulk(slug, "contributions.csv", "text/csv", _csv_chunks)


@bp.get("/consultations/<slug>/texts/<question>.jsonl")
def question_texts(slug, question):
    """The published answers to one free-text question: {"response_id", "text"} per line."""
    consultation = _consultation(slug)
    found = consultation.questionnaire.questions.get(question)
    from ..publishing import rules

    if (
        found is None
        or found.kind not in rules.FREE_TEXT_KINDS
        or not rules.is_text_reviewed(found)
    ):
        raise ApiError(404, "No free-text question of this consultation has this key.")

    return _bulk(slug, f"texts-{question}.jsonl", "application/x-ndjson", _text_lines(question))


def _text_lines(question):
    def lines(consultation):
        return _jsonl_chunks(
            {"response_id": public_id, "text": text}
            for public_id, text in queries.published_texts(consultation, question)
        )

    return lines


def bulk_files(consultation) -> dict:
    """Every bulk file of ``consultation``: name -> function of the consultation giving its
    text in chunks (what the ``open_data`` job writes)."""
    found = {"contributions.jsonl": _jsonl_records, "contributions.csv": _csv_chunks}
    for key in free_text_questions(consultation):
        found[f"texts-{key}.jsonl"] = _text_lines(key)
    return found


def free_text_questions(consultation) -> list[str]:
    """Keys of the questions that have a per-question text file."""
    from ..publishing import rules

    return [
        question.key
        for question in consultation.questionnaire
        if question.kind in rules.FREE_TEXT_KINDS and rules.is_text_reviewed(question)
    ]
