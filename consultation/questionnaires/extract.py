"""The questionnaire texts as a gettext template (``translations/questionnaires.pot``).

Each English text of the shipped YAML files becomes a msgid (and so do the default texts
of the settings shown on every page, such as the issuing body); a comment says where it
is used (file and question), so a translator sees the context. A text used in several places
is one entry. French and German stay inline in the YAML; every other language translates
this template into ``translations/<lang>/LC_MESSAGES/questionnaires.po``.
"""

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from .catalogue import UNIT_CONTEXT
from .languages import texts
from .loader import definition_files, parse_file
from .text import english, singular


def questionnaire_catalogue(paths=None) -> Catalog:
    """A template catalogue of every English text of the questionnaire files ``paths``."""
    catalogue = Catalog(project="consultation questionnaires", version="0.1", fuzzy=False)
    for path in paths or definition_files():
        definition = parse_file(path, check_texts=False)
        for where, text in texts(definition):
            source = english(text)
            if not source:
                continue
            comment = f"{Path(path).name}: {where}"
            if isinstance(source, dict):  # a unit's plural forms: after a number, and alone
                _add(catalogue, (singular(source), source["other"]), comment)
                _add(catalogue, source["other"], comment + ", beside an empty box", UNIT_CONTEXT)
            else:
                _add(catalogue, source, comment)
    for name, text in site_texts():
        if catalogue.get(text["en"]) is None:
            catalogue.add(text["en"], auto_comments=[f"config.py: {name} (default)"])
    return catalogue


def _add(catalogue, source, comment, context=None):
    """Add ``source`` (a text, or a plural entry's singular and plural), or say where else
    it is used."""
    found = catalogue.get(source[0] if isinstance(source, tuple) else source, context=context)
    if found is None:
        catalogue.add(source, auto_comments=[comment], context=context)
    elif comment not in found.auto_comments:
        found.auto_comments.append(comment)


def site_texts():
    """The default texts of the settings shown on every page (``ISSUING_BODY``...), which
    are translated like the questionnaires' (``tr``)."""
    import config

    for name in dir(config.Config):
        value = getattr(config.Config, name)
        if name.isupper() and isinstance(value, dict) and isinstance(value.get("en"), str):
            yield name, value


def write_template(output: Path, paths=None) -> int:
    """Write the template to ``output``; the number of texts in it."""
    catalogue = questionnaire_catalogue(paths)
    with open(output, "wb") as handle:
        write_po(handle, catalogue, width=100, omit_header=False, sort_output=False)
    return len(catalogue)
