"""Which interface languages are complete enough to be offered.

A language is offered only when its interface catalogue has every message of
``translations/messages.pot`` and its questionnaire catalogue every text of
``translations/questionnaires.pot`` (English, French and German carry their questionnaire
texts inline in the YAML files instead), so a half-translated language never appears.
The ``LANGUAGES`` setting may restrict the list further.
"""

from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS_DIR = ROOT / "translations"
#: Languages whose questionnaire texts are written inline in the YAML files.
INLINE_LANGUAGES = ("en", "fr", "de")


@lru_cache(maxsize=4)
def template_ids(domain: str, folder: Path = TRANSLATIONS_DIR) -> frozenset:
    """The msgids of a catalogue template (``messages.pot``, ``questionnaires.pot``)."""
    path = folder / f"{domain}.pot"
    if not path.exists():
        return frozenset()
    with open(path, "rb") as handle:
        return frozenset(_key(message) for message in read_po(handle) if message.id)


def _key(message) -> str:
    """A message's key in a compiled catalogue: a plural message by its singular, a message
    with a context as ``context\x04msgid`` (as gettext writes it)."""
    key = message.id[0] if isinstance(message.id, tuple) else message.id
    return f"{message.context}\x04{key}" if message.context else key


def compiled_ids(locale: str, domain: str, folder: Path = TRANSLATIONS_DIR) -> frozenset | None:
    """The msgids translated in the compiled catalogue of ``locale``, or ``None`` if none."""
    found = Translations.load(str(folder), [locale], domain=domain)
    if type(found) is NullTranslations:
        return None
    ids = set()
    for key, value in found._catalog.items():
        if not value:
            continue
        ids.add(key[0] if isinstance(key, tuple) else key)
    return frozenset(ids)


def missing_ids(locale: str, domain: str, folder: Path = TRANSLATIONS_DIR) -> frozenset:
    """The template's msgids that the compiled catalogue of ``locale`` does not translate."""
    wanted = template_ids(domain, folder)
    have = compiled_ids(locale, domain, folder)
    if have is None:
        return wanted or frozenset({"<no catalogue>"})
    return wanted - have


def complete(locale: str, folder: Path = TRANSLATIONS_DIR) -> bool:
    """Whether ``locale`` can be offered: every interface message and questionnaire text."""
    if locale == "en":
        return True
    if missing_ids(locale, "messages", folder):
        return False
    return locale in INLINE_LANGUAGES or not missing_ids(locale, "questionnaires", folder)


def offered(languages, allowed=None, folder: Path = TRANSLATIONS_DIR) -> dict:
    """The languages of ``languages`` (code → name) that are complete, in that order, keeping
    only those in ``allowed`` when it is given; English always."""
    return {
        code: name
        for code, name in languages.items()
        if (code == "en" or not allowed or code in allowed) and complete(code, folder)
    }
