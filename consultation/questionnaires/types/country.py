"""Country: the ISO 3166 list (pycountry) and Kosovo, EU members first, with the EU's short
names in the reader's language."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectField

from ..options import country_codes, country_footnote, country_footnotes, country_name
from .base import AnswerError, Question, StoredAnswer


class CountryQuestion(Question):
    kind = "country"
    type_name = _l("Country")
    template = "questions/country.html"
    profile_capable = True
    required_message = _l("Select a country.")

    def field(self):
        return SelectField(choices=[], validate_choice=False)

    def choices(self, locale=None):
        return [(code, country_name(code, locale)) for code in country_codes(locale)]

    def option_label(self, key, locale=None):
        return country_name(key, locale)

    def footnotes(self) -> list[str]:
        """The footnotes of the designations in the list (shown under it)."""
        return country_footnotes(country_codes())

    def clean_value(self, raw):
        if raw not in country_codes():
            raise AnswerError(_("Select a country from the list."))
        return raw

    def to_rows(self, value):
        return [StoredAnswer(option_key=value)]

    def from_rows(self, rows):
        return rows[0].option_key if rows else None

    def display(self, value, locale=None):
        if not value:
            return []
        note = country_footnote(value)
        return [country_name(value, locale)] + ([note] if note else [])
