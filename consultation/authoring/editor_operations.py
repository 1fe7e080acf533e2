"""Writes of the questionnaire editor: a section or question added, changed, moved or
deleted. They flush; the request commits once.

Every change builds the whole definition again and runs the YAML loader's checks on it
(``build_definition``), so a questionnaire made in the editor is held to exactly what a
shipped file is; when the loader refuses, ``QuestionnaireError`` says why and nothing
is changed. Only an upcoming consultation is edited here (``refusal_to_change``).
"""

import copy

from .. import clock
from ..audit.operations import record
from ..consultations.models import Consultation
from ..consultations.operations import plain_title, sync_questions
from ..errors import OperationRefused
from ..questionnaires.languages import missing_texts
from ..questionnaires.loader import digest
from ..questionnaires.text import tr
from ..questionnaires.types import QUESTION_TYPES, can_be_condition
from .operations import _hold_upcoming, build_definition, settings_of

#: Moves: one place up, one place down.
UP, DOWN = "up", "down"


def sections_of(consultation: Consultation) -> list:
    """A copy of the sections, for a change to be made on."""
    return copy.deepcopy(consultation.definition["sections"])


def find_question(sections, key):
    """(section, position in it) of the question ``key``, or ``(None, None)``."""
    for section in sections:
        for position, spec in enumerate(section["questions"]):
            if spec["key"] == key:
                return section, position
    return None, None


def find_section(sections, key):
    """The position of the section ``key``, or ``None``."""
    return next((n for n, section in enumerate(sections) if section["key"] == key), None)


def condition_questions(sections, section_key, question_key=None, locale=None) -> dict:
    """The questions one can be shown on: every choice question before it (``question_key``,
    else the end of ``section_key``), as {section heading: [(key, words)]}."""
    found = {}
    for section in sections:
        heading = tr(section["title"], locale)
        for spec in section["questions"]:
            if spec["key"] == question_key:
                return found
            if can_be_condition(spec["type"]):
                found.setdefault(heading, []).append((spec["key"], tr(spec["text"], locale)))
        if section["key"] == section_key and question_key is None:
            return found
    return found


def condition_options(sections, key, locale=None) -> list:
    """The options of the choice question ``key``, as (option key, words)."""
    section, position = find_question(sections, key)
    spec = section["questions"][position] if section else None
    if spec is None or not can_be_condition(spec["type"]):
        return []
    return list(QUESTION_TYPES[spec["type"]](spec).choices(locale))


def new_question(kind: str) -> dict:
    """What a new question of ``kind`` starts with in the form (the loader's defaults)."""
    start = {"type": kind}
    if kind == "consent":
        start["required"] = True
    if kind in ("long_text",):
        start["max_length"] = QUESTION_TYPES[kind].default_max_length
    return start


def save_question(consultation, section_key, old_key, spec, actor) -> bool:
    """Put ``spec`` in place of the question ``old_key`` (or at the end of the section
    ``section_key`` when ``old_key`` is None); False if nothing changed."""
    sections = sections_of(consultation)
    if old_key is None:
        position = find_section(sections, section_key)
        if position is None:
            raise OperationRefused(f"there is no section '{section_key}'")
        sections[position]["questions"].append(spec)
        before = None
    else:
        section, position = find_question(sections, old_key)
        if section is None:
            raise OperationRefused(f"there is no question '{old_key}'")
        before = section["questions"][position]
        section["questions"][position] = {"type": before["type"], **spec}
    change = {"question": spec["key"], "section": section_key}
    return _store(consultation, sections, actor, change, {"question": before}, {"question": spec})


def save_section(consultation, old_key, data, actor, first_question=None) -> bool:
    """Change a section's key, title and introduction (its questions stay), or add a new
    one at the end with its ``first_question`` (a section cannot be empty)."""
    sections = sections_of(consultation)
    if old_key is None:
        section = {**data, "questions": [first_question]}
        sections.append(section)
        before = None
        after = {"section": data, "question": first_question}
    else:
        position = find_section(sections, old_key)
        if position is None:
            raise OperationRefused(f"there is no section '{old_key}'")
        old = sections[position]
        before = {k: v for k, v in old.items() if k != "questions"}
        sections[position] = {**data, "questions": old["questions"]}
        after = {"section": data}
    change = {"section": data["key"]}
    return _store(consultation, sections, actor, change, {"section": before}, after)


def delete_question(consultation, key, actor) -> bool:
    """Remove a question (the loader refuses when a condition depends on it)."""
    sections = sections_of(consultation)
    section, position = find_question(sections, key)
    if section is None:
        raise OperationRefused(f"there is no question '{key}'")
    removed = section["questions"].pop(position)
    change = {"question": key, "deleted": True}
    return _store(consultation, sections, actor, change, {"question": removed}, {"question": None})


def delete_section(consultation, key, actor) -> bool:
    """Remove a section and its questions."""
    sections = sections_of(consultation)
    position = find_section(sections, key)
    if position is None:
        raise OperationRefused(f"there is no section '{key}'")
    removed = sections.pop(position)
    change = {"section": key, "deleted": True}
    return _store(consultation, sections, actor, change, {"section": removed}, {"section": None})


def move_question(consultation, key, direction, actor) -> bool:
    """One place up or down; past the first or last of its section, into the next one."""
    sections = sections_of(consultation)
    section, position = find_question(sections, key)
    if section is None:
        raise OperationRefused(f"there is no question '{key}'")
    index = find_section(sections, section["key"])
    questions = section["questions"]
    step = -1 if direction == UP else 1
    target = position + step
    if 0 <= target < len(questions):
        questions[position], questions[target] = questions[target], questions[position]
    elif 0 <= index + step < len(sections):
        spec = questions.pop(position)
        neighbour = sections[index + step]["questions"]
        neighbour.insert(len(neighbour) if step < 0 else 0, spec)
    else:
        return False
    order = [[q["key"] for q in s["questions"]] for s in sections_of(consultation)]
    after = [[q["key"] for q in s["questions"]] for s in sections]
    change = {"question": key, "moved": direction}
    return _store(consultation, sections, actor, change, {"order": order}, {"order": after})


def move_section(consultation, key, direction, actor) -> bool:
    """One place up or down among the sections."""
    sections = sections_of(consultation)
    position = find_section(sections, key)
    if position is None:
        raise OperationRefused(f"there is no section '{key}'")
    target = position + (-1 if direction == UP else 1)
    if not 0 <= target < len(sections):
        return False
    before = [s["key"] for s in sections]
    sections[position], sections[target] = sections[target], sections[position]
    change = {"section": key, "moved": direction}
    after = [s["key"] for s in sections]
    return _store(consultation, sections, actor, change, {"order": before}, {"order": after})


def _store(consultation, sections, actor, change, before, after) -> bool:
    """Check the whole definition with ``sections`` and keep it; audited with the piece
    changed before and after."""
    _hold_upcoming(consultation)
    definition = build_definition(settings_of(consultation), sections, consultation.slug)
    fingerprint, old = digest(definition), consultation.definition_digest
    if fingerprint == old:
        return False
    sync_questions(consultation, definition, consultation.slug)
    consultation.definition = definition
    consultation.definition_digest = fingerprint
    consultation.title = plain_title(definition["title"])
    consultation.authored_at = clock.now_utc()
    record(
        actor,
        "questionnaire.edit",
        consultation,
        before={**before, "digest": old},
        after={**after, "change": change, "digest": fingerprint},
    )
    return True


def missing_translations(consultation, codes) -> dict:
    """For each language of ``codes``, the texts with no version in it: (where, English)."""
    return {code: missing_texts(consultation.definition, code) for code in codes if code != "en"}
