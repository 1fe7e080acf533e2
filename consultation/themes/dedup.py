"""Which answers stand for which in theme finding: campaign copies count once.

A campaign sends one text thousands of times; fitted as it comes, it would
weigh on every theme. So theme finding sees one representative per group of
copies, and every member of the group joins the theme its representative is
put in. Today a group is the answers whose texts are identical after case,
spacing and punctuation (``text_fingerprint``); this is the one place to
change when near-duplicate campaign groups are used instead.
"""

from dataclasses import dataclass, field

from sqlalchemy import select

from ..extensions import db
from ..responses.models import Answer, Response


@dataclass
class Representative:
    """One distinct text of a question and the responses that sent it."""

    key: str
    text: str
    language: str | None
    response_ids: list = field(default_factory=list)


def representatives(question_id: int, response_ids=None) -> list[Representative]:
    """The distinct texts answering question ``question_id`` in counted responses, by key.

    ``response_ids``: only among these (a theme being split). The text and language
    of a group are those of its first response; the order depends on the data alone.
    """
    query = (
        select(Answer.text_fingerprint, Answer.text_value, Response.language, Response.id)
        .join(Response, Response.id == Answer.response_id)
        .where(
            Answer.question_id == question_id,
            Answer.text_fingerprint.is_not(None),
            Answer.option_key.is_(None),  # an "Other" box's text is not the answer itself
            Response.flag.is_(None),
        )
        .order_by(Answer.text_fingerprint, Response.id)
    )
    if response_ids is not None:
        query = query.where(Response.id.in_(list(response_ids)))
    found: list[Representative] = []
    for key, text, language, response_id in db.session.execute(
        query.execution_options(yield_per=10_000)
    ):
        if not found or found[-1].key != key:
            found.append(Representative(key, text, language))
        found[-1].response_ids.append(response_id)
    return found
