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
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from .languages import missing_texts
from .text import english, is_text
from .types import QUESTION_TYPES, DefinitionProblem, can_be_condition

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
    """A questionnaire file is malformed. ``problem`` says what is wrong and what to do, in
    words an administrator understands (translated where shown); the rest says where:
    ``question`` (its key), or ``section`` (its key) for a section's own settings; the
    ``setting`` by the loader's name, its ``row`` (from 1) and ``part`` as
    ``DefinitionProblem`` has them; ``about``: the earlier question a condition is on. The
    editor shows the message at that field; the command line names the file, the question
    and the setting before it."""

    def __init__(
        self,
        filename,
        problem,
        question=None,
        *,
        setting=None,
        row=None,
        part=None,
        section=None,
        about=None,
    ):
        self.filename = str(filename)
        self.question = question
        self.problem = problem
        self.setting, self.row, self.part = setting, row, part
        self.section, self.about = section, about
        where = f", question '{question}'" if question else ""
        if section and not question:
            where = f", section '{section}'"
        if setting:
            where += f", {setting}" + (f" #{row}" if row else "")
        super().__init__(f"{self.filename}{where}: {problem}")

    @classmethod
    def of(cls, filename, problem: DefinitionProblem, question):
        """The error of a question whose definition the type refused."""
        return cls(
            filename,
            problem.message,
            question,
            setting=problem.setting,
            row=problem.row,
            part=problem.part,
        )


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
        raise QuestionnaireError(path, _l("The file was not found.")) from None
    except yaml.YAMLError as error:
        raise QuestionnaireError(
            path, _l("The file is not valid YAML: %(error)s", error=error)
        ) from None
    except UnicodeDecodeError:
        raise QuestionnaireError(
            path, _l("The file is not text in UTF-8: save it as UTF-8 and try again.")
        ) from None


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
        raise QuestionnaireError(
            path, _l("“%(name)s” must be a date such as 2025-06-04.", name=name), setting=name
        ) from None


def _block_path(path: Path, name, blocks: Path | None) -> Path:
    """The file of a shared block (``include: about-you``): beside the file, or for an
    uploaded file only among the shipped blocks, by a plain name (no path can be given)."""
    if blocks is None:
        return path.parent / f"_{str(name).replace('-', '_')}.yaml"
    if not isinstance(name, str) or not name.replace("-", "").replace("_", "").isalnum():
        raise QuestionnaireError(path, _l("“include” must name a shared block, such as about-you."))
    found = blocks / f"_{name.replace('-', '_')}.yaml"
    if not found.is_file():
        raise QuestionnaireError(path, _l("There is no shared block “%(name)s”.", name=name))
    return found


def _sections(path, raw_sections, depth=0, blocks=None):
    if not isinstance(raw_sections, list) or not raw_sections:
        raise QuestionnaireError(path, _l("The questionnaire has no sections: add one."))
    sections = []
    for position, section in enumerate(raw_sections, 1):
        if isinstance(section, dict) and set(section) == {"include"}:
            if depth:
                raise QuestionnaireError(path, _l("A shared block cannot include another block."))
            block = _block_path(path, section["include"], blocks)
            data = _read_yaml(block)
            if not isinstance(data, dict) or "sections" not in data:
                raise QuestionnaireError(block, _l("A shared block needs “sections”."))
            sections.extend(_sections(block, data["sections"], depth + 1))
            continue
        if not isinstance(section, dict):
            raise QuestionnaireError(
                path,
                _l("Section %(number)s needs a key, a title and questions.", number=position),
            )
        key = section.get("key")
        if not isinstance(key, str) or not key:
            raise QuestionnaireError(
                path,
                _l(
                    "Section %(number)s has no key: give it a short one, of letters, digits, "
                    "dashes and underscores.",
                    number=position,
                ),
                section=f"#{position}",
                setting="key",
            )
        if not is_text(section.get("title")):
            raise QuestionnaireError(
                path,
                _l("Section “%(key)s” has no title: write it.", key=key),
                section=key,
                setting="title",
            )
        questions = section.get("questions")
        if not isinstance(questions, list) or not questions:
            raise QuestionnaireError(
                path,
                _l("Section “%(key)s” has no questions: add one, or delete the section.", key=key),
                section=key,
            )
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
    where = {"number": number, "section": section_key}
    if not isinstance(spec, dict):
        raise QuestionnaireError(
            path,
            _l(
                "Question %(number)s of section “%(section)s” needs a key, a type and a text.",
                **where,
            ),
        )
    key = spec.get("key")
    if not isinstance(key, str) or not key.replace("_", "").isalnum():
        raise QuestionnaireError(
            path,
            _l(
                "Question %(number)s of section “%(section)s” needs a key of letters, digits "
                "and underscores only (it names the answers in the exports).",
                **where,
            ),
            setting="key",
        )
    kind = spec.get("type")
    if kind not in QUESTION_TYPES:
        raise QuestionnaireError(
            path,
            _l(
                "There is no question type “%(type)s”: use one of %(types)s.",
                type=kind,
                types=", ".join(QUESTION_TYPES),
            ),
            key,
            setting="type",
        )
    try:
        return QUESTION_TYPES[kind].normalise(spec)
    except DefinitionProblem as problem:
        raise QuestionnaireError.of(path, problem, key) from None


def _check_references(path, sections):
    seen = {}
    profiles = set()
    for section in sections:
        for spec in section["questions"]:
            key = spec["key"]
            where = section["_file"]
            if key in seen:
                raise QuestionnaireError(
                    where,
                    _l(
                        "Another question already has the key “%(key)s”: give this one a "
                        "key of its own.",
                        key=key,
                    ),
                    key,
                    setting="key",
                )
            profile = spec.get("profile")
            if profile is not None:
                if profile not in PROFILE_FIELDS:
                    raise QuestionnaireError(
                        where,
                        _l(
                            "“%(profile)s” is not one of the respondent’s details an answer "
                            "can be kept as: choose one of %(fields)s.",
                            profile=profile,
                            fields=", ".join(PROFILE_FIELDS),
                        ),
                        key,
                        setting="profile",
                    )
                if profile in profiles:
                    raise QuestionnaireError(
                        where,
                        _l(
                            "Another question is already kept as the respondent’s "
                            "“%(profile)s”: choose another detail, or none.",
                            profile=profile,
                        ),
                        key,
                        setting="profile",
                    )
                profiles.add(profile)
            condition = spec.get("show_if")
            if condition is not None:
                _check_condition(where, key, condition, seen)
            seen[key] = spec


def _check_condition(where, key, condition, earlier):
    def refused(problem, part, about=None):
        return QuestionnaireError(where, problem, key, setting="show_if", part=part, about=about)

    if not isinstance(condition, dict) or set(condition) != {"question", "in"}:
        raise refused(
            _l(
                "A condition needs the earlier question and the answers to it that show this "
                "one (“question” and “in”)."
            ),
            "question",
        )
    asked = condition["question"]
    other = earlier.get(asked)
    if other is None:
        raise refused(
            _l(
                "This question is shown on the answers to “%(other)s”, which is not a question "
                "before it: choose an earlier question.",
                other=asked,
            ),
            "question",
            asked,
        )
    if not can_be_condition(other["type"]):
        raise refused(
            _l(
                "This question is shown on the answers to “%(other)s”, which is not a question "
                "of one or several choices: choose such a question.",
                other=asked,
            ),
            "type",
            asked,
        )
    values = condition["in"]
    if not isinstance(values, list) or not values:
        raise refused(
            _l("Tick at least one answer to “%(other)s” that shows this question.", other=asked),
            "in",
            asked,
        )
    options = {option["key"] for option in QUESTION_TYPES[other["type"]](other).options}
    unknown = [value for value in values if value not in options]
    if unknown:
        raise refused(
            _l(
                "This question is shown on answers that “%(other)s” does not have: "
                "%(unknown)s. Tick only answers it has.",
                other=asked,
                unknown=", ".join(map(str, unknown)),
            ),
            "in",
            asked,
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
        raise QuestionnaireError(
            path,
            _l("The languages must be a list of language codes, such as en."),
            setting="languages",
        )
    unknown = [code for code in languages if code not in QUESTIONNAIRE_LANGUAGES]
    if unknown:
        raise QuestionnaireError(
            path,
            _l(
                "Unknown language codes: %(unknown)s. Use codes among %(known)s.",
                unknown=", ".join(unknown),
                known=", ".join(QUESTIONNAIRE_LANGUAGES),
            ),
            setting="languages",
        )
    if "en" not in languages:
        raise QuestionnaireError(
            path,
            _l("The languages must include English (en), the language the texts are written in."),
            setting="languages",
        )
    return list(dict.fromkeys(languages))


def check_languages(path, definition, languages):
    """Every text of ``definition`` exists in each of ``languages``, else the first gap is
    reported with the question (or section, or setting) it belongs to and how many more."""
    for code in languages:
        missing = missing_texts(definition, code)
        if missing:
            where, text = missing[0]
            short = text if len(text) <= 60 else text[:57] + "..."
            values = {"where": where, "code": code, "text": short}
            raise QuestionnaireError(
                path,
                ngettext(
                    "%(where)s: the text “%(text)s” has no %(code)s version. Add it (in a "
                    "file: to translations/%(code)s/LC_MESSAGES/questionnaires.po); "
                    "%(num)s more text misses it too.",
                    "%(where)s: the text “%(text)s” has no %(code)s version. Add it (in a "
                    "file: to translations/%(code)s/LC_MESSAGES/questionnaires.po); "
                    "%(num)s more texts miss it too.",
                    len(missing) - 1,
                    **values,
                )
                if len(missing) > 1
                else _l(
                    "%(where)s: the text “%(text)s” has no %(code)s version. Add it (in a "
                    "file: to translations/%(code)s/LC_MESSAGES/questionnaires.po).",
                    **values,
                ),
                part=code,
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
        raise QuestionnaireError(
            path, _l("The file must be a mapping with slug, title and sections.")
        )
    missing = [name for name in REQUIRED_TOP_LEVEL if name not in data]
    if missing:
        raise QuestionnaireError(
            path, _l("The file has no %(names)s: add them.", names=", ".join(missing))
        )
    unknown = set(data) - TOP_LEVEL_KEYS - {"sections"}
    if unknown:
        raise QuestionnaireError(
            path,
            _l(
                "A questionnaire has no setting %(names)s: remove it.",
                names=", ".join(sorted(unknown)),
            ),
        )
    slug = data["slug"]
    if not isinstance(slug, str) or not slug.replace("-", "").isalnum() or slug != slug.lower():
        raise QuestionnaireError(
            path,
            _l("The address name (slug) may have only lower-case letters, digits and dashes."),
            setting="slug",
        )
    if len(slug) > 100:
        raise QuestionnaireError(
            path, _l("The address name (slug) must be at most 100 characters."), setting="slug"
        )
    names = {
        "title": _l("The title is empty: write it."),
        "summary": _l("The summary is empty: write it."),
        "privacy_notice": _l("The privacy notice is empty: write it."),
    }
    for name, message in names.items():
        if not is_text(data[name]):
            raise QuestionnaireError(path, message, setting=name)
    if len(english(data["title"]) or "") > 255:
        raise QuestionnaireError(
            path, _l("The title must be at most 255 characters in English."), setting="title"
        )
    if "issuing_body" in data and not is_text(data["issuing_body"]):
        raise QuestionnaireError(
            path, _l("The issuing body is empty: write it, or remove it."), setting="issuing_body"
        )
    contact = data.get("contact")
    if "contact" in data and not is_email(contact):
        raise QuestionnaireError(
            path,
            _l("The contact must be an e-mail address, such as consultations@example.eu."),
            setting="contact",
        )
    opens, closes = _date(path, data, "opens"), _date(path, data, "closes")
    if closes < opens:
        raise QuestionnaireError(
            path, _l("The closing date is before the opening date."), setting="closes"
        )
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
