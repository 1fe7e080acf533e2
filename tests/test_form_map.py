"""The map of a long questionnaire: sections, progress and time, worked out on the server."""

import re

import pytest

from consultation.questionnaires.definition import Questionnaire
from consultation.responses.form_map import estimate, seconds_for

from .answers import valid_form_data
from .conftest import form_tokens

SLUGS = ["apply-ai", "cloud-ai-development-act", "data-union-strategy"]


def the_map(page) -> str:
    return page.split('<nav class="form-map"')[1].split("</nav>")[0]


def counts(page) -> dict:
    """The count the map shows for each section, by section key."""
    return dict(re.findall(r'data-map-section="([^"]+)"[^>]*>([^<]*)</span>', the_map(page)))


@pytest.mark.parametrize("slug", SLUGS)
def test_the_map_links_to_every_section_and_says_how_long(client, consultations, slug):
    questionnaire = consultations[slug].questionnaire
    page = client.get(f"/consultations/{slug}/respond").get_data(as_text=True)
    nav = the_map(page)
    links = re.findall(r'<a href="#(section-[^"]+)">([^<]+)</a>', nav)
    assert [text for _, text in links] == [s.heading() for s in questionnaire.sections]
    for target, _ in links:
        assert f'<h2 id="{target}">' in page
    minutes = estimate(questionnaire)
    assert (
        f"takes up to about {minutes.every_question} minutes; the {minutes.required} required "
        f"questions alone take about {minutes.required_only} minutes"
    ) in nav
    assert '<progress id="form-progress-bar"' in nav
    assert page.index('class="form-map"') < page.index('id="questionnaire"')


def test_the_estimate_counts_questions_by_type():
    def questionnaire(*questions):
        section = {"key": "s", "title": "S", "questions": list(questions)}
        return Questionnaire({"sections": [section]})

    choice = {"key": "c", "type": "single_choice", "text": "C", "required": True}
    choice["options"] = [{"key": str(n), "label": str(n)} for n in range(4)]
    essay = {"key": "e", "type": "long_text", "text": "E", "max_length": 5000}
    matrix = {
        "key": "m",
        "type": "matrix",
        "text": "M",
        "rows": [{"key": f"r{n}", "label": "R"} for n in range(10)],
        "scale": [{"key": "a", "label": "A"}, {"key": "b", "label": "B"}],
    }
    short = questionnaire(choice)
    assert seconds_for(short.questions["c"]) == 14
    assert estimate(short).every_question == estimate(short).required_only == 5
    long = questionnaire(choice, essay, {**essay, "key": "e2"}, matrix)
    assert seconds_for(long.questions["m"]) == 90
    assert estimate(long).every_question == 10  # 14 + 180 + 180 + 90 seconds, rounded up
    assert estimate(long).required_only == 5 and estimate(long).required == 1


def test_progress_follows_what_the_form_holds(client, consultations):
    slug = "apply-ai"
    blank = counts(client.get(f"/consultations/{slug}/respond").get_data(as_text=True))
    # A blank form: only the language is filled in (the page's language); the questions
    # for organisations do not apply until the type of respondent is known.
    assert blank["about_you"] == "answered: 1 of 9"
    assert blank["declaration"] == "answered: 0 of 1"

    data = {**form_tokens(client, slug), **valid_form_data(consultations[slug].questionnaire)}
    data.pop("q_accuracy_declaration")
    page = client.post(
        f"/consultations/{slug}/respond", data=data, content_type="multipart/form-data"
    ).get_data(as_text=True)
    shown = counts(page)
    assert shown["about_you"] == "answered: 12 of 12"  # a company: its questions apply
    assert shown["final"] == "answered: 2 of 2"  # the file is kept, so it counts
    assert shown["declaration"] == "answered: 0 of 1"
    total = sum(int(text.split(" of ")[1]) for text in shown.values())
    assert f"Answered so far: {total - 1} of {total} questions that apply to you." in page


def test_the_map_speaks_the_readers_language(client, consultations):
    client.get("/language/de")
    page = client.get("/consultations/apply-ai/respond").get_data(as_text=True)
    nav = the_map(page)
    assert "Abschnitte dieses Fragebogens" in nav and "Minuten" in nav
    assert "beantwortet: 1 von 9" in nav


@pytest.mark.parametrize("slug", SLUGS)
def test_the_accuracy_declaration_comes_just_before_send(client, consultations, slug):
    page = client.get(f"/consultations/{slug}/respond").get_data(as_text=True)
    questions = re.findall(r'id="question-([a-z_]+)"', page)
    assert questions[-1] == "accuracy_declaration"  # the last question of the page...
    between = page[page.index('id="question-accuracy_declaration"') : page.index('id="send"')]
    assert "<input" in between and 'class="question' not in between[10:]  # ...then "Send"
    assert consultations[slug].questionnaire.sections[-1].key == "declaration"
