"""The admin pages people read: refusals in words on the first form, destructive buttons that
look it, figures in the reader's way of writing numbers and lists, a chart readable anywhere."""

import re
from collections import OrderedDict
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from consultation.admin.charts import TICKS, per_day_svg, tick_indexes
from consultation.audit.models import AuditRecord
from consultation.extensions import db
from consultation.i18n import COOKIE
from consultation.reports import generate
from consultation.responses.models import Response

from .admin_helpers import sign_in, signed_in_csrf
from .test_admin import admin_client, consultation, submit  # noqa: F401  (fixtures)

SLUG = "apply-ai"
EXTEND = f"/admin/consultations/{SLUG}/extend"


def extend_records():
    db.session.expire_all()
    return list(
        db.session.scalars(select(AuditRecord).where(AuditRecord.action == "consultation.extend"))
    )


def first_post(client, url, **data):
    return client.post(url, data={"csrf_token": signed_in_csrf(client), **data})


class Elements(HTMLParser):
    """Every start tag with its attributes, to check what a page says to assistive technology."""

    def __init__(self, html):
        super().__init__()
        self.tags = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def by_id(self, id_):
        return next(attrs for tag, attrs in self.tags if attrs.get("id") == id_)


# -- item 16: a past date is refused on the first form, in words -------------------------


def test_a_past_closing_date_is_refused_on_the_first_form_with_what_was_typed(
    admin_client,  # noqa: F811
):
    result = first_post(admin_client, EXTEND, closing_date="2025-05-01", reason="Asked by DG CNECT")
    assert result.status_code == 400
    page = result.get_data(as_text=True)
    message = "1 May 2025 is in the past; choose today or a later date."
    assert message in page and "2025-05-01 is" not in page
    assert "Please confirm" not in page and "<title>Error: " in page
    # The error summary leads to the field, which says it is wrong and why.
    assert f'<a href="#extend-closing_date">{message}</a>' in page
    field = Elements(page).by_id("extend-closing_date")
    assert field["value"] == "2025-05-01" and field["aria-invalid"] == "true"
    assert field["aria-describedby"] == "extend-closing_date-error"
    assert f'<p class="error-message" id="extend-closing_date-error">{message}</p>' in page
    assert ">Asked by DG CNECT</textarea>" in page  # nothing typed is lost
    assert consultation().closing_date == date(2025, 6, 4)
    assert extend_records() == []


def test_the_refusal_is_in_the_readers_language(admin_client):  # noqa: F811
    admin_client.set_cookie(COOKIE, "fr")
    page = first_post(admin_client, EXTEND, closing_date="2025-05-01").get_data(as_text=True)
    assert "Le 1 mai 2025 est déjà passé ; choisissez aujourd’hui ou une date ultérieure." in page
    admin_client.set_cookie(COOKIE, "de")
    page = first_post(admin_client, EXTEND, closing_date="2025-05-01").get_data(as_text=True)
    assert "Der 1. Mai 2025 liegt in der Vergangenheit" in page


def test_other_impossible_dates_are_refused_on_the_first_form_too(
    admin_client,  # noqa: F811
    frozen_clock,
):
    same = first_post(admin_client, EXTEND, closing_date="2025-06-04")
    assert same.status_code == 400
    assert "Apply AI Strategy already closes on 4 June 2025." in same.get_data(as_text=True)

    frozen_clock.set_brussels("2025-04-01T12:00:00")  # before the consultation opens
    early = first_post(admin_client, EXTEND, closing_date="2025-04-05")
    assert early.status_code == 400
    assert (
        "5 April 2025 is before the consultation opens (9 April 2025); choose a later date."
        in early.get_data(as_text=True)
    )
    missing = first_post(admin_client, EXTEND, closing_date="", reason="kept")
    assert missing.status_code == 400
    assert "Enter the new closing date." in missing.get_data(as_text=True)
    assert extend_records() == []


def test_today_is_accepted_and_asked_for_confirmation(admin_client):  # noqa: F811
    page = first_post(admin_client, EXTEND, closing_date="2025-05-26").get_data(as_text=True)
    assert "Please confirm: Change the closing date" in page
    assert "will close at midnight at the end of 26 May 2025" in page


def test_midnight_passing_before_the_confirmation_is_still_refused_in_words(
    admin_client,  # noqa: F811
    frozen_clock,
):
    frozen_clock.set_brussels("2025-05-26T23:59:50")
    assert sign_in(admin_client, "admin@example.org").status_code == 302  # a fresh session
    token = signed_in_csrf(admin_client)
    asked = admin_client.post(EXTEND, data={"csrf_token": token, "closing_date": "2025-05-26"})
    assert "Please confirm" in asked.get_data(as_text=True)
    frozen_clock.set_brussels("2025-05-27T00:00:01")
    confirmed = admin_client.post(
        EXTEND, data={"csrf_token": token, "closing_date": "2025-05-26", "confirm": "yes"}
    )
    assert confirmed.status_code == 400
    assert "26 May 2025 is in the past" in confirmed.get_data(as_text=True)
    assert extend_records() == []


def yes_button(page):
    return re.search(r'<button type="submit" class="([^"]*)">Yes: ', page).group(1).split()


def test_destructive_actions_keep_their_colour_on_the_confirmation_page(
    admin_client,  # noqa: F811
    client,
):
    close = first_post(admin_client, f"/admin/consultations/{SLUG}/close").get_data(as_text=True)
    assert "button-danger" in yes_button(close)
    submit(client)
    response = db.session.scalars(select(Response)).one()
    erase = first_post(
        admin_client, f"/admin/responses/{response.id}/erase", reference=response.reference
    ).get_data(as_text=True)
    assert "Please confirm: Erase personal data" in erase
    assert "button-danger" in yes_button(erase)
    for url, data in [
        (EXTEND, {"closing_date": "2025-07-01"}),
        (f"/admin/responses/{response.id}/flag", {"flag": "spam"}),
    ]:
        page = first_post(admin_client, url, **data).get_data(as_text=True)
        assert "button-danger" not in yes_button(page), url


# -- item 17: lists in the reader's language and order, numbers written one way -----------


def test_the_filters_offer_their_options_in_the_readers_language(admin_client):  # noqa: F811
    admin_client.set_cookie(COOKIE, "fr")
    page = admin_client.get(f"/admin/consultations/{SLUG}/responses").get_data(as_text=True)
    start = page.index('id="respondent_type"')
    types = page[start : page.index("</select>", start)]
    assert '<option value="company">Entreprise</option>' in types
    assert "Company or business" not in types
    countries = page[page.index('id="country"') :]
    countries = countries[: countries.index("</select>")]
    assert ">Allemagne</option>" in countries and ">Germany</option>" not in countries
    assert "Tous" in types


def test_organisation_sizes_are_listed_by_size(admin_client, client):  # noqa: F811
    for size, times in [("large", 3), ("micro", 1)]:
        for _ in range(times):
            submit(
                client,
                q_respondent_type="company",
                q_organisation_name="Org",
                q_organisation_size=size,
            )
    submit(client, q_respondent_type="eu_citizen")
    page = admin_client.get(f"/admin/consultations/{SLUG}").get_data(as_text=True)
    sizes = page[page.index("By organisation size") : page.index("By country")]
    order = [
        "Micro (1 to 9 employees)",
        "Small (10 to 49 employees)",
        "Medium (50 to 249 employees)",
        "Large (250 employees or more)",
        "Not an organisation",
    ]
    positions = [sizes.index(label) for label in order]
    assert positions == sorted(positions)  # by size, not by count (large has the most)
    assert re.search(r"Small \(10 to 49 employees\)</td><td class=\"num\">0</td>", sizes)


@pytest.fixture
def many(consultations):
    """Over a thousand counted responses, so their counts need a thousands separator."""
    generate.generate_responses(consultations[SLUG], 1150, seed=5)
    db.session.commit()
    return db.session.query(Response).filter(Response.flag.is_(None)).count()


def test_numbers_are_grouped_one_way_in_cards_tables_lists_and_the_chart(
    admin_client,  # noqa: F811
    many,
):
    listed = db.session.query(Response).count()
    for language, separator in [("en", ","), ("fr", "\u202f"), ("de", ".")]:
        admin_client.set_cookie(COOKIE, language)
        counted = f"{many // 1000}{separator}{many % 1000:03d}"
        dashboard = admin_client.get("/admin/").get_data(as_text=True)
        assert f'<td class="num">{counted}</td>' in dashboard, language  # consultations table
        assert f"<dd>{counted}</dd>" in dashboard, language  # the card
        assert f">{many}<" not in dashboard
        chart = re.search(r'<svg[^>]*aria-label="([^"]*)"', dashboard).group(1)
        assert counted in chart, language
        page = admin_client.get(f"/admin/consultations/{SLUG}/responses").get_data(as_text=True)
        assert f"{listed // 1000}{separator}{listed % 1000:03d}" in page, language
        assert str(listed) not in re.sub(r"<[^>]+>", " ", page).split()


# -- item 17: the per-day chart ---------------------------------------------------------


def window(days, start=date(2025, 4, 9)):
    return OrderedDict((start + timedelta(days=n), n % 7 + (n == 20) * 1500) for n in range(days))


def test_chart_text_keeps_its_size_at_any_width_with_enough_date_labels():
    svg = str(per_day_svg(window(57)))
    outer = re.match(r"<svg [^>]*>", svg).group(0)
    assert "viewBox" not in outer and 'width="100%"' in outer  # nothing scales the text
    sizes = [int(size) for size in re.findall(r'font-size="(\d+)"', svg)]
    assert sizes and min(sizes) >= 12
    labels = re.findall(r"<text [^>]*>([^<]*)</text>", svg)
    dates = labels[1:]  # after the peak's label
    assert len(dates) == TICKS and dates[0] == "9 Apr" and dates[-1] == "4 Jun"
    shown_on_a_phone = re.findall(r"<text (?![^>]*tick-minor)[^>]*>([^<]*)</text>", svg)[1:]
    assert 4 <= len(shown_on_a_phone) <= 5 and shown_on_a_phone[-1] == "4 Jun"
    assert labels[0] == "1,506"  # the peak, written like any number


def test_chart_labels_follow_the_readers_language(app):
    with app.test_request_context(headers={"Cookie": f"{COOKIE}=de"}):
        svg = str(per_day_svg(window(57)))
    assert ">9. Apr.</text>" in svg and "4. Juni 2025" in svg  # ticks, then the description
    assert "2025-04-09" not in svg


def test_tick_indexes_cover_the_window_evenly():
    assert tick_indexes(3) == [0, 1, 2]
    assert tick_indexes(57) == [0, 7, 14, 21, 28, 35, 42, 49, 56]
    long = tick_indexes(1000)
    assert long[0] == 0 and long[-1] == 999 and len(long) == TICKS


def test_a_window_of_many_months_names_months(app):
    with app.test_request_context():
        svg = str(per_day_svg(window(400)))
    assert ">Apr 2025</text>" in svg


def test_no_submissions_is_said_rather_than_drawn(app):
    with app.test_request_context():
        assert str(per_day_svg(OrderedDict())) == "<p>No submissions yet.</p>"
        empty = OrderedDict((date(2025, 4, 9) + timedelta(days=n), 0) for n in range(5))
        assert str(per_day_svg(empty)) == "<p>No submissions yet.</p>"
