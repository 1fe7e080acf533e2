"""Consultations made in the admin area: created, edited while upcoming, duplicated,
archived, and their questionnaires imported from and exported to YAML."""

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from consultation.audit.models import AuditRecord
from consultation.consultations.models import Consultation, State
from consultation.consultations.operations import KEPT, load_definition
from consultation.extensions import db
from consultation.questionnaires.loader import definition_files, digest, parse_file
from consultation.reports import export
from consultation.reports.summary import build_summary
from consultation.responses.models import Response

from .admin_helpers import csrf_from, sign_in, signed_in_client, signed_in_csrf
from .answers import valid_form_data
from .conftest import form_tokens

SOURCE = "data-union-strategy"  # open at the tests' frozen time (26 May 2025)
LIMIT = 512 * 1024


@pytest.fixture
def admin(app, consultations):
    return signed_in_client(app)


def consultation(slug):
    db.session.expire_all()
    return db.session.scalar(select(Consultation).where(Consultation.slug == slug))


def audit(action):
    return list(
        db.session.scalars(
            select(AuditRecord).where(AuditRecord.action == action).order_by(AuditRecord.id)
        )
    )


def later(admin, frozen_clock, moment):
    """Move the clock to ``moment`` (Brussels) and sign in again (sessions expire when idle)."""
    frozen_clock.set_brussels(moment)
    assert sign_in(admin, "admin@example.org").status_code == 302


def settings_data(token, **overrides):
    data = {
        "csrf_token": token,
        "slug": "digital-skills-2025",
        "source": SOURCE,
        "languages": ["en", "fr"],
        "opens": "2025-06-10",
        "closes": "2025-08-31",
        "contact": "skills@example.eu",
        "title_en": "Digital skills for all",
        "title_fr": "Des compétences numériques pour tous",
        "summary_en": "Tell us which digital skills matter to you.",
        "summary_fr": "Dites-nous quelles compétences numériques comptent pour vous.",
        "privacy_notice_en": "We process your answers under Regulation (EU) 2018/1725.",
        "privacy_notice_fr": "Nous traitons vos réponses selon le règlement (UE) 2018/1725.",
        "issuing_body_en": "Directorate-General for Digital Skills",
        "issuing_body_fr": "Direction générale des compétences numériques",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def create(admin, **overrides):
    token = csrf_from(admin.get("/admin/manage/consultations/new"))
    return admin.post("/admin/manage/consultations/new", data=settings_data(token, **overrides))


def publish(admin, slug="digital-skills-2025"):
    """Publish a draft made in the admin area (asked twice, as the page does)."""
    token = signed_in_csrf(admin)
    url = f"/admin/consultations/{slug}/publish"
    return admin.post(url, data={"csrf_token": token, "confirm": "yes"})


# -- create, edit, duplicate ----------------------------------------------------------


def test_create_from_the_questionnaire_of_another(admin):
    result = create(admin)
    assert result.status_code == 302, result.get_data(as_text=True)[:2000]
    assert result.headers["Location"].endswith("/admin/consultations/digital-skills-2025")
    made = consultation("digital-skills-2025")
    source = consultation(SOURCE)
    assert made.state is State.UPCOMING and made.authored_at is not None
    assert made.opens_at == datetime(2025, 6, 9, 22, 0, tzinfo=UTC)  # midnight in Brussels
    assert made.closes_at == datetime(2025, 8, 31, 22, 0, tzinfo=UTC)  # end of 31 August
    assert made.definition["sections"] == source.definition["sections"]
    assert made.definition["languages"] == ["en", "fr"]
    assert made.definition["contact"] == "skills@example.eu"
    assert made.text("title", "fr") == "Des compétences numériques pour tous"
    assert made.questionnaire.languages(["en", "fr", "de"]) == ["en", "fr"]
    assert len(made.questions) == len(source.questions)
    assert (
        db.session.scalar(
            select(func.count()).select_from(Response).where(Response.consultation_id == made.id)
        )
        == 0
    )
    [entry] = audit("consultation.create")
    assert entry.before is None and entry.after["copied_from"] == SOURCE
    assert entry.after["title"] == {
        "en": "Digital skills for all",
        "fr": "Des compétences numériques pour tous",
    }
    assert entry.target_id == str(made.id)
    assert made.is_draft  # seen by admins only until published (tests/test_versions.py)
    assert publish(admin).status_code == 302
    public = admin.get("/consultations/digital-skills-2025").get_data(as_text=True)
    assert "Directorate-General for Digital Skills" in public
    assert "mailto:skills@example.eu" in public


def test_paragraphs_typed_in_a_browser_are_paragraphs_on_the_page(admin):
    about = "First paragraph.\r\n\r\nSecond <paragraph>."
    assert create(admin, about_en=about, about_fr="Premier.\r\n\r\nSecond.").status_code == 302
    made = consultation("digital-skills-2025")
    assert made.text("about", "en") == "First paragraph.\n\nSecond <paragraph>."
    assert publish(admin).status_code == 302
    page = admin.get("/consultations/digital-skills-2025").get_data(as_text=True)
    assert "<p>First paragraph.</p>" in page and "<p>Second &lt;paragraph&gt;.</p>" in page


def test_showing_more_languages_keeps_what_was_typed_and_saves_nothing(admin):
    result = create(admin, action="languages", languages=["en", "fr", "de"])
    page = result.get_data(as_text=True)
    assert result.status_code == 200
    assert 'name="title_de"' in page and "Des compétences numériques pour tous" in page
    assert consultation("digital-skills-2025") is None


def test_a_language_just_shown_starts_with_the_catalogues_translations(admin):
    from consultation.questionnaires.text import lookup

    result = create(admin, action="languages", languages=["en", "it"], title_en="Apply AI Strategy")
    page = result.get_data(as_text=True)
    italian = lookup("Apply AI Strategy", "it")
    assert italian and f'name="title_it" value="{italian}"' in page.replace("&#39;", "'")
    assert '<textarea id="summary_it" name="summary_it"' in page  # no translation: empty


def test_a_missing_translation_is_said_at_its_field_and_nothing_is_saved(admin):
    result = create(admin, languages=["en", "fr", "de"])
    page = result.get_data(as_text=True)
    assert result.status_code == 400
    assert 'id="title_de-error"' in page and 'id="summary_de-error"' in page
    assert "Enter this text in this language too" in page
    assert "Des compétences numériques pour tous" in page  # nothing typed is lost
    assert consultation("digital-skills-2025") is None and not audit("consultation.create")


@pytest.mark.parametrize(
    "overrides, field, words",
    [
        ({"slug": "Not A Slug"}, "slug", "lower-case letters"),
        ({"slug": SOURCE}, "slug", "already used"),
        ({"opens": "2025-05-26"}, "opens", "must be after today"),
        ({"closes": "2025-06-01"}, "closes", "not be before the opening date"),
        ({"title_en": ""}, "title_en", "Enter this text"),
        ({"contact": "not an address"}, "contact", "e-mail address"),
        ({"opens": "2025-13-01"}, "opens", "a date such as"),
    ],
)
def test_refused_settings_are_said_at_their_field(admin, overrides, field, words):
    result = create(admin, **overrides)
    page = result.get_data(as_text=True)
    assert result.status_code == 400
    error = re.search(rf'id="{field}-error">(.*?)</p>', page, re.S)
    assert error and words in error.group(1), page[:3000]
    assert f'href="#{field}"' in page  # the summary links to the field
    assert db.session.scalar(select(func.count()).select_from(Consultation)) == 3


def test_loader_messages_about_the_questionnaire_show_at_the_languages(admin):
    """A language whose questionnaire texts are missing: the loader's own message."""
    result = create(
        admin,
        source="apply-ai",
        languages=["en", "fr"],
    )
    assert result.status_code == 302  # apply-ai is complete in French
    definition = consultation("apply-ai").definition
    definition["sections"][0]["questions"][0]["text"] = {"en": "A label nobody translated"}
    target = consultation("apply-ai")
    target.definition = definition
    target.definition_digest = digest(definition)
    db.session.commit()
    result = create(admin, slug="other-one", source="apply-ai")
    page = result.get_data(as_text=True)
    assert result.status_code == 400
    assert "the text “A label nobody translated” has no fr version" in page
    assert 'id="languages-error"' in page


def test_edit_while_upcoming_is_audited_with_before_and_after(admin):
    create(admin)
    page = admin.get("/admin/consultations/digital-skills-2025/settings")
    assert page.status_code == 200 and "Des compétences numériques pour tous" in page.get_data(
        as_text=True
    )
    data = settings_data(csrf_from(page), title_en="Digital skills for everyone", slug=None)
    data.pop("source")
    result = admin.post("/admin/consultations/digital-skills-2025/settings", data=data)
    assert result.status_code == 302, result.get_data(as_text=True)[:2000]
    assert consultation("digital-skills-2025").title == "Digital skills for everyone"
    [entry] = audit("consultation.edit")
    assert set(entry.before) == {"title", "digest"} == set(entry.after)
    assert entry.after["title"]["en"] == "Digital skills for everyone"
    assert entry.before["title"]["en"] == "Digital skills for all"
    assert "opens" not in entry.after  # only what changed is recorded


def test_edit_is_refused_once_open_with_a_clear_message(admin):
    page = admin.get(f"/admin/consultations/{SOURCE}/settings")
    text = page.get_data(as_text=True)
    assert page.status_code == 409
    assert "can only be changed while it is upcoming" in text
    assert "close it, reopen it or change its closing date" in text
    before = consultation(SOURCE).definition_digest
    data = settings_data(signed_in_csrf(admin), slug=None)
    result = admin.post(f"/admin/consultations/{SOURCE}/settings", data=data)
    assert result.status_code == 409
    assert consultation(SOURCE).definition_digest == before and not audit("consultation.edit")


def test_edit_is_refused_once_the_opening_date_passes(admin, frozen_clock):
    create(admin)
    publish(admin)
    later(admin, frozen_clock, "2025-06-10T00:00:01")
    assert admin.get("/admin/consultations/digital-skills-2025/settings").status_code == 409


def test_a_draft_stays_editable_after_its_opening_date(admin, frozen_clock):
    """A draft never opens: it is upcoming (and can be changed) until it is published."""
    create(admin)
    later(admin, frozen_clock, "2025-06-10T00:00:01")
    assert consultation("digital-skills-2025").state is State.UPCOMING
    assert admin.get("/admin/consultations/digital-skills-2025/settings").status_code == 200


def test_duplicate_starts_from_the_settings_with_a_new_slug_and_no_responses(admin, client):
    source = consultation(SOURCE)
    data = {**form_tokens(client, SOURCE), **valid_form_data(source.questionnaire)}
    assert client.post(f"/consultations/{SOURCE}/respond", data=data).status_code == 303
    page = admin.get(f"/admin/consultations/{SOURCE}/duplicate")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'value="{SOURCE}-copy"' in text
    assert 'value="2025-06-02"' in text  # a week from today
    form = dict(
        re.findall(
            r'<input type="(?:text|date|email)" id="[^"]+" name="([^"]+)" value="([^"]*)"', text
        )
    )
    areas = dict(re.findall(r'<textarea id="[^"]+" name="([^"]+)"[^>]*>([^<]*)</textarea>', text))
    languages = re.findall(r'name="languages" value="([a-z]{2})" checked', text)
    assert "fr" in languages and form["title_fr"]  # the source's French, kept
    data = {"csrf_token": csrf_from(page), **form, **areas, "languages": languages}
    data = {
        k: v.replace("&#39;", "'").replace("&amp;", "&").replace("&#34;", '"')
        for k, v in data.items()
        if not isinstance(v, list)
    } | {"languages": languages}
    result = admin.post(f"/admin/consultations/{SOURCE}/duplicate", data=data)
    assert result.status_code == 302, result.get_data(as_text=True)[:3000]
    copy = consultation(f"{SOURCE}-copy")
    assert copy.state is State.UPCOMING
    assert copy.definition["sections"] == source.definition["sections"]
    assert copy.text("title", "fr") == source.text("title", "fr")
    assert (
        db.session.scalar(
            select(func.count()).select_from(Response).where(Response.consultation_id == copy.id)
        )
        == 0
    )
    [entry] = audit("consultation.create")
    assert entry.after["copied_from"] == SOURCE


# -- archive ----------------------------------------------------------------------------


def confirm(admin, url):
    token = signed_in_csrf(admin)
    first = admin.post(url, data={"csrf_token": token})
    assert first.status_code == 200 and "Please confirm" in first.get_data(as_text=True)
    return admin.post(url, data={"csrf_token": token, "confirm": "yes", "reason": "Done with it"})


def test_archive_hides_makes_read_only_and_can_be_restored(admin, client, frozen_clock):
    url = f"/admin/consultations/{SOURCE}"
    result = confirm(admin, url + "/archive")
    assert consultation(SOURCE).archived_at is None  # open: refused
    assert "close it first" in admin.get(result.headers["Location"]).get_data(as_text=True)
    later(admin, frozen_clock, "2025-07-20T10:00:00")  # closed now
    result = confirm(admin, url + "/archive")
    assert result.status_code == 302
    archived = consultation(SOURCE)
    assert archived.archived_at is not None and archived.state is State.CLOSED
    assert SOURCE not in client.get("/").get_data(as_text=True)
    assert SOURCE not in client.get("/api/v1/consultations").get_data(as_text=True)
    assert SOURCE not in admin.get("/admin/").get_data(as_text=True)
    listing = admin.get("/admin/manage/consultations").get_data(as_text=True)
    assert listing.index('id="archived"') < listing.index(f"/admin/consultations/{SOURCE}/restore")
    assert client.get(f"/consultations/{SOURCE}").status_code == 200  # links keep working
    page = admin.get(url).get_data(as_text=True)
    assert "is archived, so it cannot be changed" in page
    assert "Change the closing date" not in page
    # read-only: no settings, no import, no extension
    assert admin.get(url + "/settings").status_code == 409
    assert admin.get(url + "/import").status_code == 409
    token = signed_in_csrf(admin)
    admin.post(
        url + "/extend", data={"csrf_token": token, "closing_date": "2025-09-30", "confirm": "yes"}
    )
    assert consultation(SOURCE).archived_at is not None
    assert consultation(SOURCE).closes_at == datetime(2025, 7, 18, 22, 0, tzinfo=UTC)
    [entry] = audit("consultation.archive")
    assert entry.before == {"state": "closed", "archived_at": None}
    assert entry.after["state"] == "closed" and entry.reason == "Done with it"
    assert confirm(admin, url + "/restore").status_code == 302
    assert consultation(SOURCE).archived_at is None
    assert SOURCE in client.get("/").get_data(as_text=True)
    assert "Change the closing date" in admin.get(url).get_data(as_text=True)
    [entry] = audit("consultation.restore")
    assert entry.after == {"state": "closed", "archived_at": None}


def test_an_archived_upcoming_consultation_never_opens(admin, frozen_clock):
    create(admin)
    publish(admin)
    assert confirm(admin, "/admin/consultations/digital-skills-2025/archive").status_code == 302
    later(admin, frozen_clock, "2025-07-01T12:00:00")
    assert consultation("digital-skills-2025").state is State.CLOSED
    assert admin.get("/consultations/digital-skills-2025/respond").status_code != 200
    assert confirm(admin, "/admin/consultations/digital-skills-2025/restore").status_code == 302
    assert consultation("digital-skills-2025").state is State.OPEN


def test_reloading_the_shipped_files_keeps_what_the_admin_area_changed(admin, frozen_clock):
    later(admin, frozen_clock, "2025-07-20T10:00:00")
    assert confirm(admin, f"/admin/consultations/{SOURCE}/archive").status_code == 302
    path = next(p for p in definition_files() if p.stem == SOURCE)
    definition = parse_file(path)
    definition["title"] = {"en": "Changed in the file"}
    assert load_definition(definition, source=path) == KEPT
    assert consultation(SOURCE).title != "Changed in the file"


# -- a made consultation is answered, summarised and exported -------------------------


def test_a_created_consultation_is_answered_and_reported(admin, client, frozen_clock):
    assert create(admin).status_code == 302
    assert publish(admin).status_code == 302
    later(admin, frozen_clock, "2025-06-15T12:00:00")
    made = consultation("digital-skills-2025")
    data = {**form_tokens(client, made.slug), **valid_form_data(made.questionnaire)}
    result = client.post(f"/consultations/{made.slug}/respond", data=data)
    assert result.status_code == 303, result.get_data(as_text=True)[:2000]
    summary = build_summary(made, locale="en")
    assert summary.total == 1
    assert summary.issuing_body == "Directorate-General for Digital Skills"
    assert build_summary(made, locale="fr").issuing_body == (
        "Direction générale des compétences numériques"
    )
    rows = list(csv.reader(io.StringIO("".join(export.iter_csv(made, True))[1:])))
    assert len(rows) == 2 and "person@example.org" in rows[1]


# -- texts typed by admins are escaped; who may come here -----------------------------


def test_typed_texts_are_shown_escaped(admin):
    script = "<script>alert(1)</script>"
    assert create(admin, title_en=f"Skills {script}", languages=["en"]).status_code == 302
    assert publish(admin).status_code == 302
    for url in ("/consultations/digital-skills-2025", "/admin/manage/consultations", "/"):
        page = admin.get(url).get_data(as_text=True)
        assert script not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def authoring_rules(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if app.view_functions[rule.endpoint].__module__
        in (
            "consultation.authoring.views",
            "consultation.authoring.preview",
            "consultation.authoring.publish_views",
            "consultation.authoring.editor_views",
        )
    ]


def concrete(rule):
    values = {"lang": "en"}  # a language the consultation offers: refused all the same
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: values.get(m.group(1), SOURCE), rule.rule)


def test_analysts_and_moderators_cannot_reach_any_of_these_pages(app, consultations):
    rules = authoring_rules(app)
    assert len(rules) == 20
    assert {
        "admin.preview_questionnaire",
        "admin.editor_edit_question",
        "admin.publish_consultation",
    } <= {rule.endpoint for rule in rules}
    for role in ("analyst", "moderator"):
        client = signed_in_client(app, f"{role}@example.org", role)
        token = signed_in_csrf(client)
        for rule in rules:
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                result = client.open(
                    concrete(rule), method=method, data={"csrf_token": token, "confirm": "yes"}
                )
                assert result.status_code == 403, (role, rule.rule, method)
    assert consultation(SOURCE).archived_at is None


def test_every_post_needs_its_csrf_token(admin):
    result = admin.post(
        "/admin/manage/consultations/new", data={**settings_data("wrong"), "action": "languages"}
    )
    assert result.status_code == 400
    assert create(admin, csrf_token="wrong").status_code == 400
    assert consultation("digital-skills-2025") is None


def test_a_language_no_longer_offered_loses_its_texts(admin):
    create(admin)
    data = settings_data(signed_in_csrf(admin), slug=None, languages=["en"])
    data.pop("source")
    result = admin.post("/admin/consultations/digital-skills-2025/settings", data=data)
    assert result.status_code == 302, result.get_data(as_text=True)[:2000]
    made = consultation("digital-skills-2025")
    assert made.definition["languages"] == ["en"]
    assert made.definition["title"] == {"en": "Digital skills for all"}
    [entry] = audit("consultation.edit")
    assert entry.before["languages"] == ["en", "fr"] and entry.after["languages"] == ["en"]


def test_a_slug_taken_at_the_same_moment_is_refused_in_words(admin, monkeypatch):
    from consultation.authoring import operations

    monkeypatch.setattr(operations, "_check_slug_free", lambda slug: None)
    result = create(admin, slug=SOURCE)
    assert result.status_code == 400
    assert "already used" in re.search(
        r'id="slug-error">(.*?)</p>', result.get_data(as_text=True)
    ).group(1)
