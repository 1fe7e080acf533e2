"""Representative quotes of a theme, as the publication choices allow them to be shown.

A quote is the text of one of the theme's heaviest answers, from a response
counted in reports whose personal data was not erased, whose audience may see
the question's answers (``reports.publication``). E-mail addresses in it are
blanked, and so is the respondent's own name unless they chose to be published
by name. Nothing is stored: an erasure or a changed choice shows at once.
"""

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..reports import publication
from ..responses.models import Answer, Response
from .models import ThemeAnswer

EMAIL = re.compile(r"[^\s@<>()\[\],;:\"']+@[^\s@<>()\[\],;:\"']+\.[^\W\d_]{2,}", re.UNICODE)
QUOTE_CHARS = 400
#: Heaviest members read per theme to find enough quotable ones.
LOOKED_AT = 40


@dataclass
class Quote:
    text: str
    #: Who wrote it, as far as the allow-list publishes them ("Anonymous, Citizen, France").
    who: str
    response_id: int


def _blank_names(text, names) -> str:
    for name in sorted({name for name in names if name and len(name) >= 2}, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", _("[name]"), text, flags=re.IGNORECASE)
    return text


def shown_text(text, row) -> str:
    """``text`` as it may be quoted: no e-mail address, no name the person did not publish."""
    text = EMAIL.sub(_("[e-mail]"), " ".join(text.split()))
    published = publication.published_fields(row.respondent_type, row.publication)
    hidden = [getattr(row, name) for name in ("first_name", "surname") if name not in published]
    text = _blank_names(text, hidden)
    if len(text) > QUOTE_CHARS:
        text = text[: QUOTE_CHARS - 1].rstrip() + "…"
    return text


def theme_quotes(theme, question, per_theme: int, attribution, scope=None) -> list[Quote]:
    """Up to ``per_theme`` quotes of ``theme`` (of definition ``question``), heaviest first,
    one per distinct text. ``attribution(row)`` says who wrote it; ``scope``: only from the
    responses a filtered report covers."""
    audiences = publication.answer_audiences(question)
    rows = db.session.execute(
        select(
            Answer.text_value,
            Answer.text_fingerprint,
            Response.id,
            *(getattr(Response, name) for name in publication.sometimes_published()[1:]),
        )
        .select_from(ThemeAnswer)
        .join(Response, Response.id == ThemeAnswer.response_id)
        .join(
            Answer,
            (Answer.response_id == ThemeAnswer.response_id)
            & (Answer.question_id == ThemeAnswer.question_id)
            & Answer.option_key.is_(None),
        )
        .where(
            ThemeAnswer.theme_id == theme.id,
            Response.flag.is_(None) if scope is None else scope.conditions(),
            Response.erased_at.is_(None),
            Answer.text_value.is_not(None),
        )
        .order_by(ThemeAnswer.weight.desc(), Response.id)
        .limit(LOOKED_AT)
    ).all()
    quotes, seen = [], set()
    for row in rows:
        if row.text_fingerprint in seen:
            continue
        if publication.audience(row.respondent_type, row.publication) not in audiences:
            continue
        seen.add(row.text_fingerprint)
        quotes.append(Quote(shown_text(row.text_value, row), attribution(row), row.id))
        if len(quotes) >= per_theme:
            break
    return quotes
