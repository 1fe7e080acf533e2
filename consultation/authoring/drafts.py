"""Publishing a draft: a consultation made in the admin area is seen by admins only (its
preview) until one of them publishes it. It is held to what the YAML loader holds a
shipped file to, and to a text in every language it offers. Writes flush; the request
commits once."""

import copy

from flask_babel import gettext as _

from ..audit.operations import record
from ..consultations.locking import hold_for_change
from ..consultations.models import Consultation
from ..consultations.operations import current_version
from ..errors import OperationRefused
from ..formatting import current_locale
from ..questionnaires.languages import missing_texts
from ..questionnaires.loader import QuestionnaireError, parse_data
from .forms import language_name

#: How many of a language's missing texts are named; the rest are counted.
NAMED_GAPS = 3


class PublicationRefused(OperationRefused):
    """A draft that cannot be published yet; ``problems`` says why, one sentence each."""

    def __init__(self, consultation, problems):
        super().__init__(
            _(
                "“%(title)s” was not published: %(problems)s",
                title=consultation.text("title", current_locale()),
                problems=" ".join(problems),
            )
        )
        self.problems = problems


def publication_problems(consultation: Consultation) -> list[str]:
    """Why ``consultation`` cannot be published, in words; empty when it can."""
    definition = consultation.definition
    problems = []
    for code in definition.get("languages") or ():
        gaps = missing_texts(definition, code)
        if gaps:
            named = "; ".join(f"{where}: “{text[:60]}”" for where, text in gaps[:NAMED_GAPS])
            problems.append(
                _(
                    "Texts without a translation in %(language)s: %(num)s (%(texts)s).",
                    num=len(gaps),
                    language=language_name(code),
                    texts=named + ("; …" if len(gaps) > NAMED_GAPS else ""),
                )
            )
    if not problems:  # the loader's own checks, on what a file of this definition would say
        try:
            parse_data(copy.deepcopy(definition), consultation.slug)
        except QuestionnaireError as error:
            problems.append(str(error))
    return problems


def publish_consultation(consultation: Consultation, actor, reason=None) -> None:
    """Publish a draft: listed and answerable from its opening date (at once if it has
    passed). Refused (``PublicationRefused``) while ``publication_problems`` finds any."""
    now = hold_for_change(consultation)
    title = consultation.text("title", current_locale())
    if consultation.archived_at is not None:
        raise OperationRefused(
            _("%(title)s is archived, so it cannot be changed. Restore it first.", title=title)
        )
    if not consultation.is_draft:
        raise OperationRefused(_("%(title)s is already published.", title=title))
    problems = publication_problems(consultation)
    if problems:
        raise PublicationRefused(consultation, problems)
    consultation.published_at = now
    record(
        actor,
        "consultation.publish",
        consultation,
        before={"published_at": None},
        after={
            "published_at": now.isoformat(),
            "state": consultation.state_at(now).value,
            "version": current_version(consultation),
            "digest": consultation.definition_digest,
        },
        reason=reason,
    )
