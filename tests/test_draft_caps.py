"""A draft keeps each answer up to its question's limit plus a margin; beyond, saving is refused
with a message at that question, and everything typed is shown again (issue 13, item 1)."""

from sqlalchemy import func, select

from consultation.extensions import db
from consultation.responses.drafts import DRAFT_HARD_CAP, DRAFT_MAX_VALUES, draft_cap
from consultation.responses.models import Draft

from .conftest import form_tokens
from .forms import answers_shown, shown_form
from .test_drafts import SLUG, post, save_new_draft


def drafts():
    return db.session.scalar(select(func.count()).select_from(Draft))


def save(client, data, url=f"/consultations/{SLUG}/respond"):
    form = {**form_tokens(client, SLUG), **data} if url.startswith("/consultations") else data
    return post(client, url, {**form, "action": "save_draft"})


def test_a_draft_of_100000_characters_is_refused_and_everything_typed_is_shown_again(
    client, consultations
):
    typed = {"q_first_name": "Ada", "q_final_comments": "x" * 100_000}

    result = save(client, typed)

    assert result.status_code == 400
    page = result.get_data(as_text=True)
    assert "This answer is too long to be saved: it has 100,000 characters." in page
    assert "Shorten it to at most 5,000 characters, then save again." in page
    assert 'href="#q_final_comments"' in page  # the error summary points at the question
    assert 'id="q_final_comments-error"' in page  # and the message is at the question
    shown = answers_shown(page)
    assert shown["q_final_comments"] == ["x" * 100_000] and shown["q_first_name"] == ["Ada"]
    assert drafts() == 0


def test_a_text_over_its_limit_is_kept_up_to_the_margin_and_no_further(client, consultations):
    question = consultations[SLUG].questionnaire.questions["use_cases"]
    cap = draft_cap(question)
    assert question.max_length + 200 <= cap < 2 * question.max_length

    assert save(client, {"q_use_cases": "y" * cap}).status_code == 303
    assert drafts() == 1
    refused = save(client, {"q_use_cases": "y" * (cap + 1)})
    assert refused.status_code == 400 and drafts() == 1


def test_line_breaks_count_once_as_the_question_counts_them(client, consultations):
    question = consultations[SLUG].questionnaire.questions["use_cases"]
    lines = "ab\r\n" * (draft_cap(question) // 3)  # over the cap as sent, under it as counted

    assert len(lines) > draft_cap(question) >= len(lines.replace("\r\n", "\n"))
    assert save(client, {"q_use_cases": lines}).status_code == 303


def test_answers_without_a_length_limit_have_a_hard_cap(client, consultations):
    result = save(client, {"q_staff_using_ai": "9" * (DRAFT_HARD_CAP + 1)})

    assert result.status_code == 400
    assert "and at most 1,000 can be kept" in result.get_data(as_text=True)
    assert drafts() == 0
    assert save(client, {"q_staff_using_ai": "9" * DRAFT_HARD_CAP}).status_code == 303


def test_a_repeated_key_beyond_the_options_is_refused(client, consultations):
    barriers = consultations[SLUG].questionnaire.questions["barriers"].option_keys
    result = save(client, {"q_barriers": [barriers[0]] * (DRAFT_MAX_VALUES + 1)})

    assert result.status_code == 400
    assert "This answer has too many parts to be saved" in result.get_data(as_text=True)
    assert drafts() == 0


def test_a_resumed_draft_saved_too_large_stays_as_it_was(client, consultations):
    _, link = save_new_draft(client, {"q_first_name": "Ada"})
    form = shown_form(client.get(link).get_data(as_text=True))
    form["q_surname"] = "z" * 10_000

    result = save(client, form, url=link)

    assert result.status_code == 400
    page = result.get_data(as_text=True)
    assert "You are continuing the draft you saved" in page  # still the draft's page
    assert answers_shown(page)["q_surname"] == ["z" * 10_000]
    db.session.expire_all()
    draft = db.session.scalars(select(Draft)).one()
    assert draft.data["fields"] == {"q_first_name": ["Ada"]}
