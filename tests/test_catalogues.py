"""The promised catalogues are complete; every catalogue keeps its placeholders and has
Babel's plurals; a language whose catalogues are not complete is never offered.

The reference is what the code and the questionnaires say today, extracted afresh (not the
committed templates, which may be behind after a merge): a message added anywhere that a
language lacks fails here, and the failure lists every missing msgid of every language, so
a translator can add them all in one go.
"""

import gettext
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from consultation import catalogues
from consultation.i18n import LANGUAGES
from consultation.questionnaires.extract import questionnaire_catalogue

from .conftest import TRANSLATIONS

ROOT = TRANSLATIONS.parent
#: Languages with an interface catalogue. Those in ``PROMISED`` must be complete; the others
#: are being written (messages added since they were finished are missing) and must not be
#: offered until they are complete again (``test_an_incomplete_language_is_not_offered``).
CATALOGUED = sorted(p.parent.parent.name for p in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
#: The languages the site promises in full: a message added without them fails here.
PROMISED = "bg cs da de el es et fi fr ga hr hu it lt lv mt nl pl pt ro sk sl sv".split()
#: Languages with a questionnaire catalogue (French and German are written in the YAML).
QUESTIONNAIRE_CATALOGUED = sorted(
    p.parent.parent.name for p in TRANSLATIONS.glob("*/LC_MESSAGES/questionnaires.po")
)
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w*)\}")


@pytest.fixture(scope="module")
def interface_template(tmp_path_factory):
    """The interface messages as the code has them now (pybabel extract, as the Makefile)."""
    output = tmp_path_factory.mktemp("pot") / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        [str(pybabel), "extract", "-F", "translations/babel.cfg", "-k", "_l", "-k"]
        + ["lazy_gettext", "--ignore-dirs", ".* .venv", "-o", str(output), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with open(output, "rb") as handle:
        return [message for message in read_po(handle) if message.id]


@pytest.fixture(scope="module")
def questionnaire_template():
    return [message for message in questionnaire_catalogue() if message.id]


def read_catalogue(language, domain):
    with open(TRANSLATIONS / language / "LC_MESSAGES" / f"{domain}.po", "rb") as handle:
        return read_po(handle)


def problems_of(language, domain, template):
    """Every msgid of ``template`` that the catalogue lacks, leaves empty or marks fuzzy."""
    catalogue = read_catalogue(language, domain)
    found = []
    for message in template:
        entry = catalogue.get(message.id, context=message.context)
        strings = () if entry is None else as_tuple(entry.string)
        if entry is None or not all(strings):
            found.append(("missing", message))
        elif entry.fuzzy:
            found.append(("fuzzy", message))
    return found


def as_tuple(value):
    return value if isinstance(value, tuple) else (value,)


def describe(language, domain, problems) -> str:
    lines = [f"{language} ({domain}.po): {len(problems)} message(s) to translate"]
    for kind, message in problems:
        context = f" [msgctxt {message.context!r}]" if message.context else ""
        lines.append(f"  {kind}: {as_tuple(message.id)[0]!r}{context}")
    return "\n".join(lines)


def test_every_promised_interface_catalogue_has_every_message(interface_template):
    assert set(PROMISED) <= set(CATALOGUED)
    report = [
        describe(language, "messages", problems)
        for language in PROMISED
        if (problems := problems_of(language, "messages", interface_template))
    ]
    assert not report, "\n" + "\n".join(report)


def test_every_promised_questionnaire_catalogue_has_every_text(questionnaire_template):
    assert len(questionnaire_template) > 300
    report = [
        describe(language, "questionnaires", problems)
        for language in QUESTIONNAIRE_CATALOGUED
        if language in PROMISED
        if (problems := problems_of(language, "questionnaires", questionnaire_template))
    ]
    assert not report, "\n" + "\n".join(report)


def test_an_incomplete_language_is_not_offered(app, interface_template, questionnaire_template):
    """What a person can choose is exactly the languages whose catalogues are complete."""
    from consultation.i18n import offered_languages

    complete = {"en"}
    for language in CATALOGUED:
        if problems_of(language, "messages", interface_template):
            continue
        if language not in catalogues.INLINE_LANGUAGES and problems_of(
            language, "questionnaires", questionnaire_template
        ):
            continue
        complete.add(language)
    assert set(PROMISED) <= complete
    assert set(offered_languages()) == complete


def test_a_language_with_an_interface_catalogue_has_its_questionnaire_texts_too():
    for language in CATALOGUED:
        if language not in catalogues.INLINE_LANGUAGES:
            assert language in QUESTIONNAIRE_CATALOGUED, f"{language}: no questionnaires.po"


def test_the_committed_templates_are_up_to_date(interface_template, questionnaire_template):
    """``make translations-extract`` was run: what translators start from is complete."""
    for domain, fresh in (
        ("messages", interface_template),
        ("questionnaires", questionnaire_template),
    ):
        committed = catalogues.template_ids(domain)
        wanted = {catalogues._key(message) for message in fresh}
        missing = sorted(wanted - committed)
        assert not missing, (
            f"translations/{domain}.pot lacks {missing[:20]}: make translations-extract"
        )


def forms_for(language, expression=None):
    """For each plural form of ``language``: the counts (0..200) that use it, by Babel's
    rule or by ``expression`` (a catalogue's own Plural-Forms)."""
    index = gettext.c2py(expression or get_plural(language).plural_expr)
    counts = {}
    for n in range(201):
        counts.setdefault(index(n), set()).add(n)
    return counts


def placeholders(text):
    return {name for pair in PLACEHOLDER.findall(text or "") for name in pair if name}


@pytest.mark.parametrize("language", CATALOGUED)
def test_placeholders_are_kept_in_every_translation(language):
    wrong = []
    catalogue = read_catalogue(language, "messages")
    for message in catalogue:
        if not message.id or not any(as_tuple(message.string)):
            continue  # not translated yet (a language being written)
        ids, strings = as_tuple(message.id), as_tuple(message.string)
        if len(ids) == 1:
            if placeholders(strings[0]) != placeholders(ids[0]):
                wrong.append((ids[0], strings[0]))
            continue
        singular, plural = (placeholders(text) for text in ids)
        forms = forms_for(language, catalogue.plural_expr)
        for position, string in enumerate(strings):
            used_for = forms.get(position, set())
            have = placeholders(string)
            # A form used for one count only may write it as a word ("one", "two"): %(num)s
            # may go, every other placeholder stays.
            needed = (singular if used_for <= {0, 1} else plural) - (
                {"num", "count"} if len(used_for) == 1 else set()
            )
            if not needed <= have or not have <= plural | singular:
                wrong.append((ids[0], string))
    assert not wrong, f"{language}: placeholders changed in {wrong}"


#: French keeps gettext's classic two forms (n > 1); Babel's newer rule adds a third form
#: for whole millions only ("de" in "1 000 000 de réponses"), which no message here needs.
CLASSIC_PLURALS = {"fr": "(n > 1)"}


@pytest.mark.parametrize("language", CATALOGUED)
def test_plural_forms_are_babels_for_the_language(language):
    catalogue = read_catalogue(language, "messages")
    if language in CLASSIC_PLURALS:
        assert catalogue.plural_expr == CLASSIC_PLURALS[language]
    else:
        rule = get_plural(language)
        assert (catalogue.num_plurals, catalogue.plural_expr) == tuple(rule), language
    for message in catalogue:
        if message.id and isinstance(message.id, tuple) and message.string:
            assert len(message.string) == catalogue.num_plurals, (language, message.id)


def test_the_plural_families_have_their_number_of_forms():
    """Babel's rules, which new catalogues take: one form for 1 and one for the rest in
    most languages, three in Polish, Czech and Lithuanian, four in Slovenian, five in Irish
    and Maltese."""
    expected = {"el": 2, "fi": 2, "bg": 2, "hu": 2, "pl": 3, "cs": 3, "sk": 3, "lt": 3}
    expected |= {"lv": 3, "ro": 3, "hr": 3, "sl": 4, "ga": 5, "mt": 5}
    for language, number in expected.items():
        assert get_plural(language).num_plurals == number, language
    polish = forms_for("pl")
    assert polish[0] == {1} and {2, 3, 4, 22, 104} <= polish[1] and {0, 5, 12, 25} <= polish[2]
    irish = forms_for("ga")
    assert irish[0] == {1} and irish[1] == {2} and {3, 6} <= irish[2] and {7, 10} <= irish[3]
    maltese = forms_for("mt")
    assert maltese[0] == {1} and maltese[1] == {2} and {0, 3, 10, 103} <= maltese[2]
    assert {11, 19, 111} <= maltese[3] and {20, 100, 102} <= maltese[4]
    slovenian = forms_for("sl")
    assert {1, 101} <= slovenian[0] and {2, 102} <= slovenian[1]
    assert {3, 4, 103} <= slovenian[2] and {0, 5, 100} <= slovenian[3]


def test_every_eu_language_is_named_in_itself():
    assert len(LANGUAGES) == 24
    for code, name in LANGUAGES.items():
        own = Locale.parse(code).get_display_name(code)
        assert name == own[:1].upper() + own[1:], (code, name, own)
