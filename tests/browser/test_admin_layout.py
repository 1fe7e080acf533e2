"""The admin area on a phone (360 px) and a desktop (1280 px), in English and French: nothing
scrolls sideways but a table in its own box, one width for every band, selects showing their
whole value, chart labels readable, destructive buttons red up to the confirmation."""

from datetime import date, timedelta

import pytest

from .admin import ensure_responses, sideways_overflow, signed_in

SLUG = "data-union-strategy"
RESPONSES = f"/admin/consultations/{SLUG}/responses"


@pytest.fixture(scope="module")
def response_id(live_server):
    return ensure_responses(live_server.app, SLUG, 60)


@pytest.mark.parametrize("language", ["en", "fr", "de"])  # German has the longest words
def test_nothing_scrolls_sideways_on_a_phone_but_tables_in_their_box(
    browser, live_server, screenshots, response_id, language
):
    context, page = signed_in(browser, live_server, width=360, language=language)
    try:
        for name, path in [
            ("dashboard", "/admin/"),
            ("consultation", f"/admin/consultations/{SLUG}"),
            ("responses", RESPONSES),
            ("response", f"/admin/responses/{response_id}"),
            ("audit", "/admin/audit"),
        ]:
            page.goto(live_server.url + path)
            assert sideways_overflow(page) <= 0, f"{path} scrolls sideways at 360 px"
            screenshots(page, f"admin-{name}-360-{language}")

        page.goto(live_server.url + RESPONSES)
        box = page.locator(".table-scroll")
        assert box.get_attribute("role") == "region" and box.get_attribute("aria-label")
        assert box.evaluate("b => b.scrollWidth > b.clientWidth")  # the table scrolls inside
        box.focus()  # a keyboard reaches the box and scrolls it
        assert page.evaluate("document.activeElement.classList.contains('table-scroll')")
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        page.wait_for_timeout(300)  # scrolling by keyboard is smooth: let it move
        assert box.evaluate("b => b.scrollLeft") > 0
        assert sideways_overflow(page) <= 0
    finally:
        context.close()


BANDS = """() => ['.site-header .container', '.admin-nav .container', 'main',
                  '.site-footer .container'].map(selector => {
  const box = document.querySelector(selector), style = getComputedStyle(box);
  const rect = box.getBoundingClientRect();
  return [selector, Math.round(rect.left + parseFloat(style.paddingLeft)),
          Math.round(rect.right - parseFloat(style.paddingRight))];
})"""


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_top_bar_menu_content_and_footer_share_one_width(
    browser, live_server, screenshots, response_id, language
):
    context, page = signed_in(browser, live_server, width=1280, language=language)
    try:
        page.goto(live_server.url + "/admin/")
        bands = page.evaluate(BANDS)
        edges = {(left, right) for _, left, right in bands}
        assert len(edges) == 1, bands
        screenshots(page, f"admin-dashboard-1280-{language}")
    finally:
        context.close()


#: For each select of the filters: its chosen text, and whether the text is shown whole. A
#: select styled by the page (appearance: base-select, on a phone) wraps its value, and its
#: scrollWidth tells if anything is cut; a native one cannot wrap, so its box must be as wide
#: as the text (measured in its font) plus the arrow.
SELECTS = """() => Array.from(document.querySelectorAll('.filters select')).map(s => {
  const style = getComputedStyle(s), text = s.options[s.selectedIndex].text;
  if (style.appearance === 'base-select')
    return [s.id, text, 'wraps', s.scrollWidth <= s.clientWidth];
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = style.font;
  const inner = s.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return [s.id, text, 'native', Math.ceil(ctx.measureText(text).width) + 24 <= inner];
})"""


@pytest.mark.parametrize("width", [360, 1280])
def test_selects_show_their_whole_value_in_the_readers_language(
    browser, live_server, screenshots, width
):
    context, page = signed_in(browser, live_server, width=width, language="fr")
    try:
        page.goto(
            live_server.url
            + RESPONSES
            + "?respondent_type=academic_research&country=VC&flag=counted"
        )
        selects = page.evaluate(SELECTS)
        chosen = {name: text for name, text, _, _ in selects}
        assert chosen["respondent_type"] == "Établissement universitaire ou de recherche"
        assert chosen["country"].startswith("Saint-Vincent")
        assert [whole for *_, whole in selects] == [True] * len(selects), selects
        assert sideways_overflow(page) <= 0
        screenshots(page, f"admin-filters-{width}-fr")
    finally:
        context.close()


#: The per-day chart's visible labels: rendered font size, and horizontal extent of the dates.
CHART = """() => Array.from(document.querySelectorAll('svg.chart'))[0] && Array.from(
  document.querySelectorAll('svg.chart')[0].querySelectorAll('text'))
  .filter(t => getComputedStyle(t).display !== 'none')
  .map(t => { const r = t.getBoundingClientRect();
    return [t.textContent, parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a,
            r.left, r.right, r.top]; })"""


@pytest.mark.parametrize("width", [360, 1280])
def test_chart_labels_are_readable_and_never_touch(browser, live_server, response_id, width):
    context, page = signed_in(browser, live_server, width=width)
    try:
        page.goto(f"{live_server.url}/admin/consultations/{SLUG}")
        labels = page.evaluate(CHART)
        assert labels, "no chart"
        for text, size, *_ in labels:
            assert size >= 12, f"“{text}” is {size:.1f} px"
        dates = sorted((label for label in labels[1:]), key=lambda label: label[2])
        assert len(dates) >= 5, dates
        for before, after in zip(dates, dates[1:], strict=False):
            assert before[3] + 4 <= after[2], f"{before[0]} touches {after[0]}"
        chart = page.locator("svg.chart").first.bounding_box()
        assert all(
            chart["x"] <= left and right <= chart["x"] + chart["width"] + 0.5
            for _, _, left, right, _ in labels
        )
    finally:
        context.close()


RED, DARK_RED = "rgb(176, 0, 32)", "rgb(138, 0, 25)"


def background(locator):
    return locator.evaluate("b => getComputedStyle(b).backgroundColor")


def test_destructive_buttons_stay_red_on_their_confirmation_page(browser, live_server, response_id):
    context, page = signed_in(browser, live_server)
    try:
        page.goto(f"{live_server.url}/admin/consultations/apply-ai")
        close = page.get_by_role("button", name="Close now…")
        assert background(close) == RED
        close.click()
        confirm = page.get_by_role("button", name="Yes: Close now")
        assert background(confirm) == RED
        confirm.hover()
        page.wait_for_timeout(50)
        assert background(confirm) == DARK_RED
        page.get_by_role("link", name="Cancel").click()  # the consultation stays open

        later = date.today() + timedelta(days=400)
        page.fill("#extend-closing_date", later.isoformat())
        page.get_by_role("button", name="Change the closing date…").click()
        assert background(page.get_by_role("button", name="Yes: Change the closing date")) != RED
        page.get_by_role("link", name="Cancel").click()

        page.goto(f"{live_server.url}/admin/responses/{response_id}")
        page.fill("#erase-reference", page.locator("#reference").inner_text())
        page.get_by_role("button", name="Erase personal data…").click()
        assert background(page.get_by_role("button", name="Yes: Erase personal data")) == RED
    finally:
        context.close()
