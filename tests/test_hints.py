"""Each question says each of its rules once (issue 12, item 10).

"Pick up to 3." followed by "Select at most 3.", or "(optional)" in the label
followed by "Optional." in the hint, says the same thing twice. Every question
of every questionnaire is rendered in every language and its notes are read.
"""

import re
from html.parser import HTMLParser

import pytest
from flask_babel import force_locale, gettext

from consultation.questionnaires.loader import definition_files

LANGUAGES = ["en", "fr", "de"]
#: A number as people write it: 3, 1,500, 1 500, 0.5 (a rule's limit, a position).
NUMBER = re.compile(r"\d+(?:[.,\u00a0\u202f]\d+)*")


class _Questions(HTMLParser):
    """Per question (``div#question-<key>``): its label and the texts of its hint paragraphs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.questions = {}
        self._stack = []  # (tag, question key or None, what the text is for)
        self._current = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        kind = None
        if tag == "div" and (attrs.get("id") or "").startswith("question-"):
            self._current = attrs["id"].removeprefix("question-")
            self.questions[self._current] = {"label": "", "notes": []}
        elif "question-label" in classes:
            kind = "label"
        elif tag == "p" and "hint" in classes:
            kind = "note"
            self.questions[self._current]["notes"].append("")
        if tag not in ("input", "br", "img", "meta", "link"):
            self._stack.append((tag, kind))

    def handle_endtag(self, tag):
        while self._stack:
            if self._stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        kinds = [kind for _, kind in self._stack if kind]
        if not kinds or self._current is None:
            return
        question = self.questions[self._current]
        if kinds[-1] == "label":
            question["label"] += data
        else:
            question["notes"][-1] += data


def questions_of(page) -> dict:
    parser = _Questions()
    parser.feed(page)
    return parser.questions


def said_twice(label: str, notes: list[str], optional_word: str) -> list[str]:
    """What a question says more than once: a number in two notes, or "optional" twice."""
    problems = []
    seen = {}
    for position, note in enumerate(notes):
        for found in set(NUMBER.findall(note)):
            if found in seen and seen[found] != position:
                problems.append(f"{found!r} in {notes[seen[found]]!r} and {note!r}")
            seen.setdefault(found, position)
    if optional_word.casefold() in label.casefold():
        problems += [
            f"{note!r} repeats {optional_word!r}"
            for note in notes
            if optional_word.casefold() in note.casefold()
        ]
    return problems


def test_the_check_finds_what_the_issue_describes():
    assert said_twice("Obstacles", ["Pick up to 3.", "Select at most 3."], "optional")
    assert said_twice("Number (optional)", ["Optional. If your organisation..."], "optional")
    assert said_twice("Rank (optional)", ["Give 1 to the most important.", "1 being the..."], "x")
    assert not said_twice("Obstacles (optional)", ["Select at most 3.", "Up to 200 chars."], "x")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("slug", [path.stem for path in definition_files()])
def test_no_question_says_a_rule_twice(client, consultations, app, slug, language):
    client.get(f"/language/{language}")
    page = client.get(f"/consultations/{slug}/respond").get_data(as_text=True)
    with app.test_request_context(), force_locale(language):
        optional_word = gettext("(optional)").strip("()")
    questions = questions_of(page)
    assert set(questions) == set(consultations[slug].questionnaire.questions)
    problems = {
        key: found
        for key, question in questions.items()
        if (found := said_twice(question["label"], question["notes"], optional_word))
    }
    assert not problems, problems
    # The limits are still said, once.
    obstacles = {
        "apply-ai": "barriers",
        "cloud-ai-development-act": "build_obstacles",
        "data-union-strategy": "access_obstacles",
    }[slug]
    assert sum("3" in note for note in questions[obstacles]["notes"]) == 1
