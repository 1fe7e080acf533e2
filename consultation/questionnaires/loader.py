"""Reading and checking questionnaire YAML files.

A file is turned into a normalised definition (plain data, stored as JSON with
the consultation). Anything wrong is reported as ``QuestionnaireError`` naming
the file, the question and the problem, and nothing is loaded.
"""

import hashlib
import json
from datetime import date
from importlib import resources
from pathlib import Path

import yaml

from .languages import missing_texts
from .text import english, is_text
from .types import QUESTION_TYPES, DefinitionProblem
from .types.choices import ChoiceQuestion

#: Columns of the response row that a question's answer may fill (``profile:`` in YAML).
PROFILE_FIELDS = (
    "language",
    "respondent_type",
    "first_name",
    "surname",
    "email",
    "organisation_name",
    "organisation_size",
    "country",
    "publication",
    "outcome_updates",
)
TOP_LEVEL_KEYS = {
    "slug",
    "title",
    "summary",
    "about",
    "opens",
    "closes",
    "privacy_notice",
    "languages",
    "issuing_body",
    "contact",
}
#: The languages a questionnaire can be written in (the EU's 24 official languages).
QUESTIONNAIRE_LANGUAGES = (
    "bg cs da de el en es et fi fr ga hr hu it lt lv mt nl pl pt ro sk sl sv".split()
)
#: Settings a file may leave out: who issues the consultation and whom to write to (else the
#: site's ``ISSUING_BODY`` and ``CONTACT_EMAIL``).
OPTIONAL_SETTINGS = ("issuing_body", "contact")
REQUIRED_TOP_LEVEL = ("slug", "title", "summary", "opens", "closes", "privacy_notice", "sections")


class QuestionnaireError(Exception):
    """A questionnaire file is malformed."""

    def __init__(self, filename, problem, question=None):
        self.filename = str(filename)
        self.question = question
        self.problem = problem
        where = f", question '{question}'" if question else ""
        super().__init__(f"{self.filename}{where}: {problem}")


def definitions_dir() -> Path:
    """The package folder of the shipped YAML definitions."""
    return Path(str(resources.files("consultation.questionnaires") / "definitions"))


def definition_files(folder: Path | None = None) -> list[Path]:
    """The consultation files of a folder; files starting with ``_`` are shared blocks."""
    folder = folder or definitions_dir()
    return sorted(p for p in folder.glob("*.yaml") if not p.name.startswith("_"))


def _read_yaml(path: Path):
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError:
        raise QuestionnaireError(path, "file not found") from None
    except yaml.YAMLError as error:
        raise QuestionnaireError(path, f"not valid YAML: {error}") from None
    except UnicodeDecodeError:
        raise QuestionnaireError(path, "not UTF-8 text") from None


def is_email(value) -> bool:
    """Whether ``value`` looks like one e-mail address (a contact, not a proof it exists)."""
    if not isinstance(value, str) or len(value) > 254 or any(c.isspace() for c in value):
        return False
    local, at, domain = value.rpartition("@")
    return bool(at and local and "." in domain.strip(".") and "@" not in local)


def _date(path, data, name):
    value = data.get(name)
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise QuestionnaireError(path, f"'{name}' must be a date such as 2025-06-04") from None


def _block_path(path: Path, name, blocks: Path | None) -> Path:
    """The file of a shared block (``include: about-you``): beside the file, or for an
    uploaded file only among the shipped blocks, by a plain name (no path can be given)."""
    if blocks is None:
        return path.parent / f"_{str(name).replace('-', '_')}.yaml"
    if not isinstance(name, str) or not name.replace("-", "").replace("_", "").isalnum():
        raise QuestionnaireError(path, "'include' must name a shared block such as about-you")
    found = blocks / f"_{name.replace('-', '_')}.yaml"
    if not found.is_file():
        raise QuestionnaireError(path, f"there is no shared block '{name}'")
    return found


def _sections(path, raw_sections, depth=0, blocks=None):
    if not isinstance(raw_sections, list) or not raw_sections:
        raise QuestionnaireError(path, "'sections' must be a non-empty list")
    sections = []
    for position, section in enumerate(raw_sections, 1):
        if isinstance(section, dict) and set(section) == {"include"}:
            if depth:
                raise QuestionnaireError(path, "an included block cannot include another")
            block = _block_path(path, section["include"], blocks)
            data = _read_yaml(block)
            if not isinstance(data, dict) or "sections" not in data:
                raise QuestionnaireError(block, "a block file needs 'sections'")
            sections.extend(_sections(block, data["sections"], depth + 1))
            continue
        if not isinstance(section, dict):
            raise QuestionnaireError(path, f"section #{position} must be a mapping")
        key = section.get("key")
        if not isinstance(key, str) or not key:
            raise QuestionnaireError(path, f"section #{position} has no 'key'")
        if not is_text(section.get("title")):
            raise QuestionnaireError(path, f"section '{key}' has no 'title'")
        questions = section.get("questions")
        if not isinstance(questions, list) or not questions:
            raise QuestionnaireError(path, f"section '{key}' has no questions")
        normalised = []
        for number, spec in enumerate(questions, 1):
            normalised.append(_question(path, key, number, spec))
        entry = {"key": key, "title": section["title"], "questions": normalised}
        if section.get("intro"):
            entry["intro"] = section["intro"]
        entry["_file"] = str(path)
        sections.append(entry)
    return sections


def _question(path, section_key, number, spec):
    if not isinstance(spec, dict):
        raise QuestionnaireError(
            path, f"question #{number} of section '{section_key}' is not a mapping"
        )
    key = spec.get("key")
    if not isinstance(key, str) or not key.replace("_", "").isalnum():
        raise QuestionnaireError(
            path,
            f"question #{number} of section '{section_key}' needs a 'key' of letters, "
            "digits and underscores",
        )
    kind = spec.get("type")
    if kind not in QUESTION_TYPES:
        raise QuestionnaireError(
            path, f"unknown type {kind!r}; use one of {', '.join(QUESTION_TYPES)}", key
        )
    try:
        return QUESTION_TYPES[kind].normalise(spec)
    except DefinitionProblem as problem:
        raise QuestionnaireError(path, str(problem), key) from None


def _check_references(path, sections):
    seen = {}
    profiles = set()
    for section in sections:
        for spec in section["questions"]:
            key = spec["key"]
            where = section["_file"]
            if key in seen:
                raise QuestionnaireError(where, "this key is used by two questions", key)
            profile = spec.get("profile")
            if profile is not None:
                if profile not in PROFILE_FIELDS:
                    raise QuestionnaireError(
                        where, f"profile must be one of {', '.join(PROFILE_FIELDS)}", key
                    )
                if profile in profiles:
                    raise QuestionnaireError(where, f"profile '{profile}' is used twice", key)
                profiles.add(profile)
            condition = spec.get("show_if")
            if condition is not None:
                _check_condition(where, key, condition, seen)
            seen[key] = spec


def _check_condition(where, key, condition, earlier):
    if not isinstance(condition, dict) or set(condition) != {"question", "in"}:
        raise QuestionnaireError(where, "'show_if' needs 'question' and 'in'", key)
    other = earlier.get(condition["question"])
    if other is None:
        raise QuestionnaireError(
            where,
            f"'show_if' refers to '{condition['question']}', which is not an earlier question",
            key,
        )
    other_class = QUESTION_TYPES[other["type"]]
    if not issubclass(other_class, ChoiceQuestion) or other_class.kind == "ranking":
        raise QuestionnaireError(where, "'show_if' must refer to a choice question", key)
    values = condition["in"]
    if not isinstance(values, list) or not values:
        raise QuestionnaireError(where, "'show_if: in' must be a non-empty list", key)
    options = {option["key"] for option in other_class(other).options}
    unknown = [value for value in values if value not in options]
    if unknown:
        raise QuestionnaireError(
            where, f"'show_if' uses unknown option(s) {', '.join(map(str, unknown))}", key
        )


def _languages(path, data):
    """The languages the file says it offers (``languages:``), each complete, or ``None``."""
    if "languages" not in data:
        return None
    languages = data["languages"]
    if (
        not isinstance(languages, list)
        or not languages
        or not all(isinstance(code, str) for code in languages)
    ):
        raise QuestionnaireError(path, "'languages' must be a list of language codes such as en")
    unknown = [code for code in languages if code not in QUESTIONNAIRE_LANGUAGES]
    if unknown:
        raise QuestionnaireError(
            path,
            f"unknown language(s) {', '.join(unknown)}; use codes among "
            f"{', '.join(QUESTIONNAIRE_LANGUAGES)}",
        )
    if "en" not in languages:
        raise QuestionnaireError(path, "'languages' must include en, the language of the source")
    return list(dict.fromkeys(languages))


def check_languages(path, definition, languages):
    """Every text of ``definition`` exists in each of ``languages``, else the first gap is
    reported with the question (or section, or setting) it belongs to and how many more."""
    for code in languages:
        missing = missing_texts(definition, code)
        if missing:
            where, text = missing[0]
            more = (
                f" ({len(missing) - 1} more text(s) missing in {code})" if len(missing) > 1 else ""
            )
            short = text if len(text) <= 60 else text[:57] + "..."
            raise QuestionnaireError(
                path,
                f"{where}: no {code} text for {short!r}: add it to "
                f"translations/{code}/LC_MESSAGES/questionnaires.po{more}",
            )


def parse_file(path: Path | str, *, check_texts: bool = True) -> dict:
    """The normalised definition of a questionnaire file, or ``QuestionnaireError``.

    ``check_texts``: whether every text must exist in each language of ``languages:``
    (off only to extract the texts that translators still have to translate)."""
    path = Path(path)
    data = _read_yaml(path)
    return parse_data(data, path, check_texts=check_texts)


def parse_data(data, path: Path | str, *, check_texts: bool = True, blocks=None) -> dict:
    """The normalised definition of already-read YAML ``data`` (named ``path`` in messages),
    with every check of ``parse_file``; ``blocks``: the only folder includes may come from."""
    path = Path(path)
    if not isinstance(data, dict):
        raise QuestionnaireError(path, "the file must be a mapping with slug, title and sections")
    missing = [name for name in REQUIRED_TOP_LEVEL if name not in data]
    if missing:
        raise QuestionnaireError(path, f"missing {', '.join(missing)}")
    unknown = set(data) - TOP_LEVEL_KEYS - {"sections"}
    if unknown:
        raise QuestionnaireError(path, f"unknown setting(s): {', '.join(sorted(unknown))}")
    slug = data["slug"]
    if not isinstance(slug, str) or not slug.replace("-", "").isalnum() or slug != slug.lower():
        raise QuestionnaireError(path, "'slug' must be lower-case letters, digits and dashes")
    if len(slug) > 100:
        raise QuestionnaireError(path, "'slug' must be at most 100 characters")
    for name in ("title", "summary", "privacy_notice"):
        if not is_text(data[name]):
            raise QuestionnaireError(path, f"'{name}' must be a non-empty text")
    if len(english(data["title"]) or "") > 255:
        raise QuestionnaireError(path, "'title' must be at most 255 characters in English")
    if "issuing_body" in data and not is_text(data["issuing_body"]):
        raise QuestionnaireError(path, "'issuing_body' must be a non-empty text")
    contact = data.get("contact")
    if "contact" in data and not is_email(contact):
        raise QuestionnaireError(
            path, "'contact' must be an e-mail address such as consultations@example.eu"
        )
    opens, closes = _date(path, data, "opens"), _date(path, data, "closes")
    if closes < opens:
        raise QuestionnaireError(path, "'closes' is before 'opens'")
    sections = _sections(path, data["sections"], blocks=blocks)
    _check_references(path, sections)
    for section in sections:
        del section["_file"]
    languages = _languages(path, data)
    definition = {
        "slug": slug,
        "title": data["title"],
        "summary": data["summary"],
        "about": data.get("about") or data["summary"],
        "privacy_notice": data["privacy_notice"],
        **{name: data[name] for name in OPTIONAL_SETTINGS if name in data},
        "opens": opens,
        "closes": closes,
        "sections": sections,
    }
    if languages is not None:
        if check_texts:
            check_languages(path, definition, languages)
        definition["languages"] = languages
    return definition


def digest(definition: dict) -> str:
    """A fingerprint of a definition; loading the same file twice gives the same one."""
    return hashlib.sha256(json.dumps(definition, sort_keys=True).encode()).hexdigest()
