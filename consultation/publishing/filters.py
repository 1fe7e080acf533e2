"""The public list's filters as a page shows them: each value with its label and count."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..consultations.queries import profile_labels
from ..i18n import number

#: The filters in the order the page shows them, with their labels.
FILTER_LABELS = {
    "respondent_type": _l("Type of respondent"),
    "country": _l("Country"),
    "language": _l("Language"),
    "organisation_size": _l("Size of organisation"),
    "has_attachment": _l("Attached document"),
}


@dataclass
class FilterChoice:
    """One filter: its name, label, and (value, label with count, chosen) options."""

    name: str
    label: str
    options: list[tuple[str, str, bool]]


def filter_choices(consultation, filters, counts, locale) -> list[FilterChoice]:
    """The filters of the list, each value labelled with how many contributions it gives.

    Values that give none are left out, unless chosen (so the page says "0" rather than
    forgetting the choice); values are in the questionnaire's order (countries by name).
    """
    profile = consultation.questionnaire.profile_questions()
    labels = profile_labels(
        consultation, [name for name in FILTER_LABELS if name in profile], locale
    )
    result = []
    for name, label in FILTER_LABELS.items():
        found = counts.get(name, {})
        chosen = getattr(filters, name)
        if name == "has_attachment":
            options = [
                ("yes", str(_l("With a document")), found.get(True, 0), chosen is True),
                ("no", str(_l("Without a document")), found.get(False, 0), chosen is False),
            ]
        else:
            question = profile.get(name)
            if question is None:
                continue
            order = [key for key, _label in question.choices(locale)]
            keys = [key for key in order if found.get(key) or key == chosen]
            keys += sorted(key for key in found if key not in order and key)  # answers kept
            options = [(key, labels[name](key), found.get(key, 0), key == chosen) for key in keys]
        shown = [
            (value, f"{text} ({number(count, locale)})", selected)
            for value, text, count, selected in options
            if count or selected
        ]
        if shown:
            result.append(FilterChoice(name, str(label), shown))
    return result
