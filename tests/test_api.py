"""The open-data API: every endpoint's real response validated against the OpenAPI document,
filters and cursors, ETags and 304, CORS, JSON errors for every 4xx, rate limits, and the
bulk files (which give the same published texts as the public pages)."""

import csv
import io
import json

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import select

from consultation import limits
from consultation.api import files, openapi
from consultation.audit.operations import Actor
from consultation.extensions import db
from consultation.publishing import operations, queries
from consultation.reports import generate
from consultation.responses.models import Response

from .jobs_helpers import run_jobs
from .reporting import SLUG, submit
from .test_publishing_queries import CLOSED, final_comment, person
from .test_rate_limits import app_with_limits

MODERATOR = Actor("moderator@example.org")
API = "/api/v1"
DOCUMENT = openapi.document()


def validate(data, schema_name):
    """``data`` against ``#/components/schemas/<schema_name>`` of the served document."""
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": DOCUMENT["components"],
        "$ref": f"#/components/schemas/{schema_name}",
    }
    Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(data)


def response_schema(path, status="200"):
    content = DOCUMENT["paths"][path]["get"]["responses"][status]["content"]
    ref = next(iter(content.values()))["schema"].get("$ref", "")
    return ref.rpartition("/")[2]


@pytest.fixture
def published(client, consultations, frozen_clock):
    """Contributions of the Data Union Strategy: four submitted and moderated, twelve
    generated; the consultation closed, so they are public."""
    consultation = consultations[SLUG]
    made = [
        submit(client, consultation, person()),
        submit(
            client,
            consultation,
            person(
                q_respondent_type="company",
                q_organisation_name="Quantum Widgets",
                q_organisation_size="small",
                q_publication="anonymous",
                q_country="DE",
                q_final_comments="Our neighbour Zorbanella Quint agrees with us.",
            ),
        ),
        submit(client, consultation, person(q_final_comments="This one is withheld.")),
        submit(client, consultation, person(q_final_comments="Not yet read.")),
    ]
    operations.approve(made[0], MODERATOR)
    answer = final_comment(made[1])
    operations.redact(made[1], MODERATOR, answer.id, "Zorbanella Quint", "third_party")
    operations.approve(made[1], MODERATOR)
    operations.withhold(made[2], MODERATOR, "offensive")
    generate.generate_responses(consultation, 12, seed=4)
    mine = {r.id for r in made}
    for response in db.session.scalars(
        select(Response).where(Response.moderation == "pending", Response.id.not_in(mine))
    ):
        operations.approve(response, MODERATOR)
    db.session.commit()
    frozen_clock.set_brussels(CLOSED)
    return consultation, made


def get_json(client, url, schema, status=200, **headers):
    result = client.get(url, headers=headers)
    assert result.status_code == status, (url, result.status_code, result.get_data(as_text=True))
    assert result.mimetype == "application/json"
    data = result.get_json()
    validate(data, schema)
    return result, data


def test_the_document_describes_every_route_and_its_schemas_are_valid(app):
    for schema in DOCUMENT["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    assert DOCUMENT["openapi"] == "3.1.0"
    routes = {
        rule.rule.replace("<", "{").replace(">", "}")
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.docs"
    }
    assert routes == set(DOCUMENT["paths"])
    served = app.test_client().get(f"{API}/openapi.json")
    assert served.get_json() == json.loads(json.dumps(DOCUMENT))


def test_the_consultations_and_one_consultation(client, published):
    consultation, made = published
    path = "/api/v1/consultations"
    result, data = get_json(client, path, response_schema(path))
    slugs = [item["slug"] for item in data["consultations"]]
    assert SLUG in slugs
    item = next(i for i in data["consultations"] if i["slug"] == SLUG)
    assert item["state"] == "closed" and item["contributionsPublished"]
    assert item["title"]["fr"] and item["closesAt"].endswith("Z")
    assert result.headers["Access-Control-Allow-Origin"] == "*"
    assert result.headers["ETag"] and result.headers["Last-Modified"]

    path = "/api/v1/consultations/{slug}"
    _, detail = get_json(client, f"{API}/consultations/{SLUG}", response_schema(path))
    keys = [q["key"] for q in detail["questions"]]
    assert "final_comments" in keys and "respondent_type" in keys
    assert "email" not in keys and "outcome_updates" not in keys  # never published
    assert detail["outcome"] is None


def test_results_once_closed_or_when_an_admin_shows_them(client, consultations, frozen_clock):
    consultation = consultations[SLUG]
    generate.generate_responses(consultation, 20, seed=9)
    db.session.commit()
    frozen_clock.set_brussels("2025-07-01T12:00:00")  # open
    closed_yet = client.get(f"{API}/consultations/{SLUG}/results")
    assert closed_yet.status_code == 404
    validate(closed_yet.get_json(), "Error")
    assert closed_yet.get_json()["error"]["code"] == "results_not_published"

    consultation.results_while_open = True
    db.session.commit()
    path = "/api/v1/consultations/{slug}/results"
    _, data = get_json(client, f"{API}/consultations/{SLUG}/results", response_schema(path))
    assert data["final"] is False
    frozen_clock.set_brussels(CLOSED)
    consultation.results_while_open = False
    db.session.commit()
    _, data = get_json(client, f"{API}/consultations/{SLUG}/results?lang=fr", "Results")
    assert data["final"] is True and data["language"] == "fr"
    counted = db.session.scalar(
        select(db.func.count()).where(
            Response.consultation_id == consultation.id, Response.flag.is_(None)
        )
    )
    assert data["respondents"] == counted
    types = next(q for q in data["questions"] if q["key"] == "respondent_type")
    assert sum(o["count"] for o in types["options"]) == counted
    matrix = next(q for q in data["questions"] if q["type"] == "matrix")
    assert matrix["rows"] and all(r["answered"] <= counted for r in matrix["rows"])
    bad = client.get(f"{API}/consultations/{SLUG}/results?lang=ja")  # not a language we offer
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "bad_language"


def test_contributions_pages_filters_and_cursor(client, published):
    consultation, made = published
    path = "/api/v1/consultations/{slug}/contributions"
    base = f"{API}/consultations/{SLUG}/contributions"
    expected = queries.filter_counts(consultation)["total"][None]
    assert expected >= 8  # the generated ones that chose a publication and are not spam
    seen, url = [], f"{base}?limit=5"
    while url:
        _, data = get_json(client, url, response_schema(path))
        seen += [item["id"] for item in data["contributions"]]
        url = data["links"]["next"]
        if url:
            url = url.removeprefix("http://localhost")
            assert data["next"] in url
    assert len(seen) == len(set(seen)) == expected
    assert made[2].public_id not in seen and made[3].public_id not in seen  # withheld, pending
    times = [
        r.submitted_at for r in map(lambda i: queries.published_by_public_id(consultation, i), seen)
    ]
    assert times == sorted(times, reverse=True)

    _, companies = get_json(client, f"{base}?userType=company&country=DE", "ContributionPage")
    assert made[1].public_id in [c["id"] for c in companies["contributions"]]
    assert all(c["userType"] == "company" for c in companies["contributions"])
    assert companies["filters"] == {"userType": "company", "country": "DE"}
    found = client.get(f"{base}?q=neighbour").get_json()["contributions"]
    assert [c["id"] for c in found] == [made[1].public_id]
    assert client.get(f"{base}?q=Zorbanella").get_json()["contributions"] == []

    for query, code in [
        ("cursor=not-a-cursor", "bad_cursor"),
        ("userType=martian", "bad_filter"),
        ("country=be", "bad_filter"),
        ("companySize=huge", "bad_filter"),
        ("hasAttachment=maybe", "bad_filter"),
        ("limit=0", "bad_limit"),
        ("limit=1000", "bad_limit"),
        ("usertype=company", "unknown_parameter"),
    ]:
        result, data = get_json(client, f"{base}?{query}", "Error", status=400)
        assert data["error"]["code"] == code, query


def test_one_contribution_shows_what_its_respondent_chose(client, published):
    consultation, made = published
    path = "/api/v1/consultations/{slug}/contributions/{public_id}"
    _, citizen = get_json(
        client,
        f"{API}/consultations/{SLUG}/contributions/{made[0].public_id}",
        response_schema(path),
    )
    assert citizen["firstName"] == "Philippa" and citizen["publication"] == "public"
    _, company = get_json(
        client, f"{API}/consultations/{SLUG}/contributions/{made[1].public_id}", "Contribution"
    )
    assert company["organization"] == "Quantum Widgets" and company["firstName"] is None
    assert company["answers"]["final_comments"] == "Our neighbour [removed] agrees with us."
    assert company["redacted"] is True
    text = json.dumps(company)
    assert "philippa@example.org" not in text and "Zorbanella" not in text
    for hidden in (made[2], made[3]):
        result = client.get(f"{API}/consultations/{SLUG}/contributions/{hidden.public_id}")
        assert result.status_code == 404
        validate(result.get_json(), "Error")
    assert (
        client.get(f"{API}/consultations/{SLUG}/contributions/{made[0].reference}").status_code
        == 404
    )


def test_bulk_files_stream_every_published_contribution(client, published):
    consultation, made = published
    expected = queries.filter_counts(consultation)["total"][None]
    jsonl = client.get(f"{API}/consultations/{SLUG}/contributions.jsonl")
    assert jsonl.status_code == 200
    assert jsonl.mimetype == "application/x-ndjson"
    lines = [json.loads(line) for line in jsonl.get_data(as_text=True).splitlines()]
    assert len(lines) == expected
    for line in lines:
        validate(line, "Contribution")
    # The same published texts as the public pages' own view, contribution by contribution.
    for line in lines:
        response = queries.published_by_public_id(consultation, line["id"])
        view = queries.published_view(response, "en")
        for answer in view.answers:
            if not answer.free_text:
                continue
            value = line["answers"].get(answer.key)
            if "\ue001" in answer.text:  # withheld: the record leaves the text out
                assert not isinstance(value, str) and not (value or {}).get("other")
            elif isinstance(value, dict):  # a choice with its "other" text
                assert value["other"] in answer.text, answer.key
            elif isinstance(value, str):  # a free text, redactions as "[removed]"
                assert value == answer.text, answer.key
        assert (
            line["firstName"] == view.first_name and line["organization"] == view.organisation_name
        )

    table = client.get(f"{API}/consultations/{SLUG}/contributions.csv")
    assert table.mimetype == "text/csv" and "attachment" in table.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(table.get_data(as_text=True))))
    assert len(rows) == expected
    assert {
        "id",
        "userType",
        "country",
        "language",
        "companySize",
        "organization",
        "trNumber",
    } <= set(rows[0])
    company = next(r for r in rows if r["id"] == made[1].public_id)
    assert company["final_comments"] == "Our neighbour [removed] agrees with us."

    # The first request streamed them live and queued the job that prepares them; then the
    # prepared files are served, the same bytes.
    live_csv = table.get_data()
    live_texts = client.get(f"{API}/consultations/{SLUG}/texts/final_comments.jsonl").get_data()
    run_jobs(client.application)
    for name in ("contributions.jsonl", "contributions.csv", "texts-final_comments.jsonl"):
        assert files.prepared_path(consultation, name, jsonl.headers["ETag"].strip('"')).is_file()
    assert client.get(f"{API}/consultations/{SLUG}/contributions.jsonl").data == jsonl.data
    assert client.get(f"{API}/consultations/{SLUG}/contributions.csv").data == live_csv
    served = client.get(f"{API}/consultations/{SLUG}/texts/final_comments.jsonl")
    assert served.data == live_texts and "attachment" in served.headers["Content-Disposition"]

    texts = client.get(f"{API}/consultations/{SLUG}/texts/final_comments.jsonl")
    text_lines = [json.loads(line) for line in texts.get_data(as_text=True).splitlines()]
    for line in text_lines:
        validate(line, "TextLine")
    assert {
        "response_id": made[1].public_id,
        "text": "Our neighbour [removed] agrees with us.",
    } in text_lines
    assert "This one is withheld" not in texts.get_data(as_text=True)
    missing = client.get(f"{API}/consultations/{SLUG}/texts/email.jsonl")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"


def test_etags_give_304_and_change_with_the_data(client, published):
    consultation, made = published
    for url in (
        f"{API}/consultations",
        f"{API}/consultations/{SLUG}",
        f"{API}/consultations/{SLUG}/results",
        f"{API}/consultations/{SLUG}/contributions",
        f"{API}/consultations/{SLUG}/contributions/{made[0].public_id}",
        f"{API}/consultations/{SLUG}/contributions.jsonl",
        f"{API}/consultations/{SLUG}/contributions.csv",
        f"{API}/openapi.json",
    ):
        first = client.get(url)
        etag = first.headers["ETag"]
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.data == b"", url
        assert again.headers["ETag"] == etag
    bulk = f"{API}/consultations/{SLUG}/contributions.jsonl"
    before = client.get(bulk).headers["ETag"]
    operations.reopen(made[0], MODERATOR)
    db.session.commit()
    assert client.get(bulk, headers={"If-None-Match": before}).status_code == 200


def test_errors_are_json_and_get_is_open_to_every_origin(client, published):
    for url, status in [
        (f"{API}/nothing-here", 404),
        (f"{API}/consultations/no-such-thing", 404),
        (f"{API}/consultations/no-such-thing/contributions", 404),
    ]:
        _, data = get_json(client, url, "Error", status=status)
        assert data["error"]["status"] == status
    posted = client.post(f"{API}/consultations")
    assert posted.status_code == 405 and posted.headers["Allow"] == "GET, HEAD, OPTIONS"
    validate(posted.get_json(), "Error")
    preflight = client.options(
        f"{API}/consultations",
        headers={"Origin": "https://example.net", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Set-Cookie" not in client.get(f"{API}/consultations").headers


def test_too_many_requests_get_a_json_429(app, published):
    limited = app_with_limits(app, RATELIMIT_API="2 per minute")
    client = limited.test_client()
    statuses = [client.get(f"{API}/consultations").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    refused = client.get(f"{API}/consultations")
    validate(refused.get_json(), "Error")
    assert refused.get_json()["error"]["code"] == "too_many_requests"
    assert int(refused.headers["Retry-After"]) > 0


def test_every_api_endpoint_is_limited(app, consultations):
    """Walks the URL map: every route of the API has a per-client limit."""
    attached = limits.limits_to_attach(app)
    api_endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")}
    assert api_endpoints and api_endpoints <= set(attached)
    assert {attached[e][0] for e in limits.API_BULK} == {"RATELIMIT_API_BULK"}
    limited = app_with_limits(app, RATELIMIT_API="1 per minute", RATELIMIT_API_BULK="1 per minute")
    client = limited.test_client()
    for rule in limited.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        url = rule.build({arg: "x" for arg in rule.arguments})[1]
        client.get(url)
        assert client.get(url).status_code == 429, rule.rule


def test_the_documentation_page(client, consultations):
    page = client.get(f"{API}/docs")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "/api/v1/consultations/{slug}/contributions" in text and "trNumber" in text


def test_an_admin_publishes_the_counts_while_open(app, consultations, frozen_clock):
    from consultation.audit.models import AuditRecord

    from .admin_helpers import signed_in_client, signed_in_csrf

    frozen_clock.set_brussels("2025-07-01T12:00:00")  # open
    admin = signed_in_client(app)
    client = app.test_client()
    url = f"/admin/consultations/{SLUG}/results-while-open"
    assert client.get(f"{API}/consultations/{SLUG}/results").status_code == 404
    admin.post(url, data={"csrf_token": signed_in_csrf(admin), "show": "y"})
    assert client.get(f"{API}/consultations/{SLUG}/results").status_code == 200
    assert "The counts per question are public" in admin.get(
        f"/admin/consultations/{SLUG}"
    ).get_data(as_text=True)
    admin.post(url, data={"csrf_token": signed_in_csrf(admin)})
    assert client.get(f"{API}/consultations/{SLUG}/results").status_code == 404
    records = db.session.scalars(
        select(AuditRecord)
        .where(AuditRecord.action == "consultation.results_while_open")
        .order_by(AuditRecord.id)
    ).all()
    assert [r.after["results_while_open"] for r in records] == [True, False]
    analyst = signed_in_client(app, "analyst@example.org", "analyst")
    refused = analyst.post(url, data={"csrf_token": signed_in_csrf(analyst), "show": "y"})
    assert refused.status_code == 403
