"""The audit log in words: one sentence per record, in the reader's language.

Each action has an entry in ``ACTIONS``: a short label (the filter's choices) and a
function that writes the sentence from the record's before and after values. A new
action adds one entry; an action without one is still shown, plainly.
"""

from dataclasses import dataclass
from datetime import datetime

from babel.dates import format_date
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from .. import clock
from ..consultations.models import Consultation
from ..extensions import db
from ..formatting import brussels_datetime, number, role_label
from ..i18n import current_locale, format_locale


@dataclass(frozen=True)
class Action:
    """How people read one kind of audit record."""

    label: object  # a lazy text: the filter shows it in the reader's language
    sentence: object  # (record, Titles) -> str, made by ``sentence()``


class Titles:
    """The consultations' titles in the reader's language, read once for a page of records."""

    def __init__(self, records):
        ids = {int(r.target_id) for r in records if r.target_type == "consultation"}
        found = db.session.scalars(select(Consultation).where(Consultation.id.in_(ids)))
        self._titles = {str(c.id): c.text("title", current_locale()) for c in found} if ids else {}

    def of(self, record) -> str:
        """The title of the record's consultation; its slug when it no longer exists."""
        return self._titles.get(record.target_id, record.target_label)


def sentence(text, **fields):
    """The writer of one action's sentence: ``text`` (a lazy text) with ``fields`` filled in.

    Each field is a function of the record (and the page's titles); ``who`` is always there.
    """

    def write(record, titles) -> str:
        values = {name: get(record, titles) for name, get in fields.items()}
        return str(text) % {"who": record.actor, **values}

    return write


def value(side, key):
    """A value recorded before or after the change, as it was written."""

    def get(record, titles):
        found = (getattr(record, side) or {}).get(key)
        return "—" if found is None else str(found)

    return get


def worded(side, key, words):
    """A recorded code (a mark, a reason) in words, in the reader's language."""

    def get(record, titles):
        found = (getattr(record, side) or {}).get(key)
        return str(words.get(found, found or "—"))

    return get


def day(side, key):
    """The last day of a window ending at a recorded instant: 29 Dec 2026, 29 déc. 2026."""

    def get(record, titles):
        found = (getattr(record, side) or {}).get(key)
        if not found:
            return "—"
        last = clock.closing_date(datetime.fromisoformat(found))
        return format_date(last, "medium", locale=format_locale())

    return get


def moment(side, key):
    """A recorded instant in Brussels time, in words."""

    def get(record, titles):
        found = (getattr(record, side) or {}).get(key)
        return brussels_datetime(datetime.fromisoformat(found)) if found else "—"

    return get


def role(side):
    def get(record, titles):
        return role_label((getattr(record, side) or {}).get("role"))

    return get


def rows(record, titles):
    found = (record.after or {}).get("rows")
    return number(found) if isinstance(found, int) else "—"


def file_format(record, titles):
    return str((record.after or {}).get("format") or "—").upper()


def title(record, titles):
    return titles.of(record)


def label(record, titles):
    return record.target_label


def target_id(record, titles):
    return record.target_id


#: The marks of a response as they read inside a sentence.
MARKS = {"spam": _l("spam"), "duplicate": _l("a duplicate")}
#: Why a sign-in failed, as the audit log says it.
FAILURES = {
    "password": _l("wrong password"),
    "unknown account": _l("no account has this e-mail address"),
    "disabled": _l("the account is disabled"),
    "locked": _l("refused after too many failures"),
    "code": _l("wrong two-factor code"),
}
#: An export's variants as they read inside a sentence.
VARIANTS = {"personal": _l("with personal data"), "public": _l("as published")}
ADDRESS = value("after", "address")
#: Why words were removed or a contribution withheld, as they read inside a sentence.
MODERATION_REASONS = {
    "third_party": _l("personal data of a third party"),
    "offensive": _l("offensive"),
    "defamatory": _l("defamatory"),
    "other": _l("another reason"),
}
#: A consultation's publication setting, inside a sentence.
PUBLICATION_MODES = {
    "after_closing": _l("after closing"),
    "when_moderated": _l("as soon as moderated"),
    "never": _l("never"),
}
#: A contribution's moderation, inside a sentence.
MODERATION_STATES = {
    "pending": _l("waiting for review"),
    "approved": _l("approved"),
    "withheld": _l("withheld"),
}


def campaign_count(record, titles):
    found = (record.after or {}).get("answers")
    return number(len(found)) if isinstance(found, list) else "—"


ACTIONS = {
    "consultation.close": Action(
        _l("Consultation closed by hand"),
        sentence(
            _l("Closed %(title)s at %(moment)s, before its closing date of %(date)s (by %(who)s)"),
            title=title,
            moment=moment("after", "closed_at"),
            date=day("after", "closes_at"),
        ),
    ),
    "consultation.reopen": Action(
        _l("Consultation reopened"),
        sentence(
            _l("Reopened %(title)s until the end of %(date)s (by %(who)s)"),
            title=title,
            date=day("after", "closes_at"),
        ),
    ),
    "consultation.extend": Action(
        _l("Closing date changed"),
        sentence(
            _l("Extended %(title)s: closing %(before)s → %(after)s (by %(who)s)"),
            title=title,
            before=day("before", "closes_at"),
            after=day("after", "closes_at"),
        ),
    ),
    "outcome.save": Action(
        _l("Outcome written"),
        sentence(_l("Wrote the outcome of %(title)s (by %(who)s)"), title=title),
    ),
    "outcome.publish": Action(
        _l("Outcome published"),
        sentence(_l("Published the outcome of %(title)s (by %(who)s)"), title=title),
    ),
    "outcome.withdraw": Action(
        _l("Outcome withdrawn"),
        sentence(
            _l("Withdrew the outcome of %(title)s from its public page (by %(who)s)"),
            title=title,
        ),
    ),
    "consultation.results_while_open": Action(
        _l("Results while open"),
        sentence(
            _l("Results of %(title)s while open: %(state)s (by %(who)s)"),
            title=title,
            state=lambda record, titles: str(
                _l("public") if (record.after or {}).get("results_while_open") else _l("private")
            ),
        ),
    ),
    "user.create": Action(
        _l("Account created"),
        sentence(
            _l("Created the account %(email)s, %(role)s (by %(who)s)"),
            email=label,
            role=role("after"),
        ),
    ),
    "user.set_role": Action(
        _l("Role changed"),
        sentence(
            _l("Changed the role of %(email)s: %(before)s → %(after)s (by %(who)s)"),
            email=label,
            before=role("before"),
            after=role("after"),
        ),
    ),
    "user.disable": Action(
        _l("Account disabled"),
        sentence(_l("Disabled the account %(email)s (by %(who)s)"), email=label),
    ),
    "user.change_password": Action(
        _l("Password changed"),
        sentence(
            _l("Changed the password of %(email)s; its open sessions ended (by %(who)s)"),
            email=label,
        ),
    ),
    "user.enable": Action(
        _l("Account enabled"),
        sentence(_l("Enabled the account %(email)s again (by %(who)s)"), email=label),
    ),
    "user.invite": Action(
        _l("Person invited"),
        sentence(_l("Invited %(email)s as %(role)s (by %(who)s)"), email=label, role=role("after")),
    ),
    "user.reinvite": Action(
        _l("Invitation sent again"),
        sentence(_l("Sent a new invitation to %(email)s (by %(who)s)"), email=label),
    ),
    "user.force_password_reset": Action(
        _l("Password reset forced"),
        sentence(
            _l("Asked %(email)s to set a new password; their sessions ended (by %(who)s)"),
            email=label,
        ),
    ),
    "user.reset_link_sent": Action(
        _l("Password link sent"),
        sentence(_l("%(who)s gave the old password: a link to set a new one was e-mailed to them")),
    ),
    "user.set_password": Action(
        _l("Password set by link"),
        sentence(_l("%(who)s set a password through an e-mailed link")),
    ),
    "user.two_factor_on": Action(
        _l("Two-factor sign-in on"),
        sentence(_l("Turned on two-factor sign-in for %(email)s (by %(who)s)"), email=label),
    ),
    "user.two_factor_off": Action(
        _l("Two-factor sign-in reset"),
        sentence(_l("Reset two-factor sign-in of %(email)s (by %(who)s)"), email=label),
    ),
    "user.recovery_codes": Action(
        _l("Recovery codes replaced"),
        sentence(_l("Made new recovery codes for %(email)s (by %(who)s)"), email=label),
    ),
    "auth.end_session": Action(
        _l("Session ended"),
        sentence(
            _l("Ended a session of %(email)s started from %(address)s (by %(who)s)"),
            email=label,
            address=ADDRESS,
        ),
    ),
    "auth.end_other_sessions": Action(
        _l("Other sessions ended"),
        sentence(
            _l("%(who)s ended their other sessions (%(count)s)"),
            count=value("after", "sessions"),
        ),
    ),
    "response.flag": Action(
        _l("Response marked"),
        sentence(
            _l("Marked response %(id)s as %(mark)s: left out of reports (by %(who)s)"),
            id=target_id,
            mark=worded("after", "flag", MARKS),
        ),
    ),
    "response.unflag": Action(
        _l("Response mark removed"),
        sentence(
            _l("Removed the mark of response %(id)s: counted in reports again (by %(who)s)"),
            id=target_id,
        ),
    ),
    "response.erase_personal_data": Action(
        _l("Personal data erased"),
        sentence(
            _l("Erased the name and e-mail addresses of response %(id)s (by %(who)s)"),
            id=target_id,
        ),
    ),
    "response.confirmation_failed": Action(
        _l("Confirmation e-mail not sent"),
        sentence(
            _l(
                "The confirmation e-mail of response %(id)s (reference %(reference)s) could "
                "not be sent after %(tries)s tries: %(error)s (by %(who)s)"
            ),
            id=target_id,
            reference=value("after", "reference"),
            tries=value("after", "tries"),
            error=value("after", "error"),
        ),
    ),
    "moderation.approve": Action(
        _l("Contribution approved for publication"),
        sentence(_l("Approved response %(id)s for publication (by %(who)s)"), id=target_id),
    ),
    "moderation.withhold": Action(
        _l("Contribution withheld"),
        sentence(
            _l("Withheld response %(id)s from publication: %(why)s (by %(who)s)"),
            id=target_id,
            why=worded("after", "reason", MODERATION_REASONS),
        ),
    ),
    "moderation.reopen": Action(
        _l("Moderation undone"),
        sentence(
            _l("Sent response %(id)s back to review: it was %(before)s (by %(who)s)"),
            id=target_id,
            before=worded("before", "moderation", MODERATION_STATES),
        ),
    ),
    "moderation.part_approve": Action(
        _l("Answer or file approved"),
        sentence(_l("Approved an answer or a file of response %(id)s (by %(who)s)"), id=target_id),
    ),
    "moderation.part_withhold": Action(
        _l("Answer or file withheld"),
        sentence(
            _l("Withheld an answer or a file of response %(id)s: %(why)s (by %(who)s)"),
            id=target_id,
            why=worded("after", "reason", MODERATION_REASONS),
        ),
    ),
    "moderation.part_undo": Action(
        _l("Decision on an answer or file undone"),
        sentence(
            _l(
                "Took back the decision on an answer or a file of response %(id)s: it was "
                "%(before)s (by %(who)s)"
            ),
            id=target_id,
            before=worded("before", "state", MODERATION_STATES),
        ),
    ),
    "moderation.redact": Action(
        _l("Words removed before publication"),
        sentence(
            _l("Removed words from an answer of response %(id)s: %(why)s (by %(who)s)"),
            id=target_id,
            why=worded("after", "reason", MODERATION_REASONS),
        ),
    ),
    "moderation.unredact": Action(
        _l("Removed words restored"),
        sentence(
            _l("Restored words removed from an answer of response %(id)s (by %(who)s)"),
            id=target_id,
        ),
    ),
    "moderation.approve_campaign": Action(
        _l("Identical answers approved"),
        sentence(
            _l("Approved %(count)s identical answers to %(title)s in one step (by %(who)s)"),
            count=campaign_count,
            title=title,
        ),
    ),
    "moderation.approve_campaign_undo": Action(
        _l("Approval of identical answers undone"),
        sentence(
            _l(
                "Took back the approval of %(count)s identical answers to %(title)s: they "
                "wait for review again (by %(who)s)"
            ),
            count=campaign_count,
            title=title,
        ),
    ),
    "moderation.approve_waiting": Action(
        _l("Waiting answers approved in bulk"),
        sentence(
            _l("Approved in bulk %(count)s waiting answers and files of %(title)s (by %(who)s)"),
            count=lambda record, titles: number((record.after or {}).get("parts") or 0),
            title=title,
        ),
    ),
    "publishing.mode": Action(
        _l("Publication setting changed"),
        sentence(
            _l(
                "Changed when the contributions to %(title)s are published: %(before)s → "
                "%(after)s (by %(who)s)"
            ),
            title=title,
            before=worded("before", "mode", PUBLICATION_MODES),
            after=worded("after", "mode", PUBLICATION_MODES),
        ),
    ),
    # -- campaign groups (consultation.campaigns) --
    "campaign.confirm": Action(
        _l("Campaign confirmed"),
        sentence(
            _l("Confirmed group %(label)s of %(consultation)s as a campaign (by %(who)s)"),
            label=value("after", "number"),
            consultation=value("after", "consultation"),
        ),
    ),
    "campaign.reject": Action(
        _l("Campaign rejected"),
        sentence(
            _l("Rejected group %(label)s of %(consultation)s: not a campaign (by %(who)s)"),
            label=value("after", "number"),
            consultation=value("after", "consultation"),
        ),
    ),
    "campaign.undecide": Action(
        _l("Campaign decision taken back"),
        sentence(
            _l(
                "Took back the decision on group %(label)s of %(consultation)s: not decided "
                "(by %(who)s)"
            ),
            label=value("after", "number"),
            consultation=value("after", "consultation"),
        ),
    ),
    "auth.sign_in": Action(
        _l("Signed in"), sentence(_l("%(who)s signed in from %(address)s"), address=ADDRESS)
    ),
    "auth.sign_in_failed": Action(
        _l("Failed sign-in"),
        sentence(
            _l("Failed sign-in as %(email)s from %(address)s: %(why)s"),
            email=value("after", "email"),
            address=ADDRESS,
            why=worded("after", "why", FAILURES),
        ),
    ),
    "auth.sign_out": Action(_l("Signed out"), sentence(_l("%(who)s signed out"))),
    "upload.download": Action(
        _l("Respondent's file downloaded"),
        sentence(
            _l("Downloaded the file “%(name)s” of response %(id)s (by %(who)s)"),
            name=value("after", "file"),
            id=value("after", "response"),
        ),
    ),
    "export.download": Action(
        _l("Responses downloaded"),
        sentence(
            _l(
                "Downloaded the responses to %(title)s %(variant)s, %(format)s, %(rows)s rows "
                "(by %(who)s)"
            ),
            title=title,
            variant=worded("after", "variant", VARIANTS),
            format=file_format,
            rows=rows,
        ),
    ),
    "report.download": Action(
        _l("Summary report downloaded"),
        sentence(_l("Downloaded the summary report of %(title)s (by %(who)s)"), title=title),
    ),
}

# -- themes and codes (consultation/themes) --


def _quoted(side, key):
    """A recorded list of names, each in quotes: “a”, “b”."""

    def get(record, titles):
        found = (getattr(record, side) or {}).get(key) or []
        return ", ".join(f"“{name}”" for name in found)

    return get


def _found_themes(record, titles):
    n = (record.after or {}).get("themes") or 0
    text = ngettext(
        "Found %(count)s theme in the answers to %(question)s (by %(who)s)",
        "Found %(count)s themes in the answers to %(question)s (by %(who)s)",
        n,
        count=number(n),
        question=record.target_label,
        who=record.actor,
    )
    return text


def _deleted_code(record, titles):
    n = (record.before or {}).get("answers") or 0
    text = ngettext(
        "Deleted the code “%(name)s”, ticked on %(count)s answer (by %(who)s)",
        "Deleted the code “%(name)s”, ticked on %(count)s answers (by %(who)s)",
        n,
        count=number(n),
        name=record.target_label,
        who=record.actor,
    )
    return text


def _coded(record, titles):
    after = record.after or {}
    changes = []
    if after.get("added"):
        changes.append(str(_l("added %(codes)s")) % {"codes": ", ".join(after["added"])})
    if after.get("removed"):
        changes.append(str(_l("removed %(codes)s")) % {"codes": ", ".join(after["removed"])})
    return str(
        _l("Coded the answer of response %(id)s to %(question)s: %(changes)s (by %(who)s)")
    ) % {
        "id": record.target_id,
        "question": after.get("question", "—"),
        "changes": "; ".join(changes),
        "who": record.actor,
    }


ACTIONS.update(
    {
        "themes.find": Action(_l("Themes found"), _found_themes),
        "theme.rename": Action(
            _l("Theme renamed"),
            sentence(
                _l("Renamed the theme “%(before)s” to “%(after)s” (by %(who)s)"),
                before=value("before", "name"),
                after=value("after", "name"),
            ),
        ),
        "theme.merge": Action(
            _l("Themes merged"),
            sentence(
                _l("Merged the themes %(themes)s into “%(name)s” (by %(who)s)"),
                themes=_quoted("before", "themes"),
                name=value("after", "name"),
            ),
        ),
        "theme.split": Action(
            _l("Theme split"),
            sentence(
                _l("Split the theme “%(name)s” into %(themes)s (by %(who)s)"),
                name=value("before", "name"),
                themes=_quoted("after", "themes"),
            ),
        ),
        "code.create": Action(
            _l("Code added"),
            sentence(
                _l("Added the code “%(name)s” to the codebook of %(question)s (by %(who)s)"),
                name=label,
                question=value("after", "question"),
            ),
        ),
        "code.rename": Action(
            _l("Code renamed"),
            sentence(
                _l("Renamed the code “%(before)s” to “%(after)s” (by %(who)s)"),
                before=value("before", "name"),
                after=value("after", "name"),
            ),
        ),
        "code.delete": Action(_l("Code deleted"), _deleted_code),
        "answer.code": Action(_l("Answer coded"), _coded),
    }
)
# -- end themes and codes --

# -- consultations made in the admin area (consultation.authoring) --


def _edited(record, titles):
    """What the editor changed: a question or a section, added, changed, deleted or moved."""
    change = (record.after or {}).get("change") or {}
    before = record.before or {}
    if "question" in change:
        key, added = change["question"], before.get("question", 0) is None
        words = {
            "deleted": _l("deleted the question %(key)s"),
            "moved": _l("moved the question %(key)s"),
            "added": _l("added the question %(key)s"),
        }
        default = _l("changed the question %(key)s")
    else:
        key, added = change.get("section", "—"), before.get("section", 0) is None
        words = {
            "deleted": _l("deleted the section %(key)s"),
            "moved": _l("moved the section %(key)s"),
            "added": _l("added the section %(key)s"),
        }
        default = _l("changed the section %(key)s")
    kind = next((k for k in ("deleted", "moved") if change.get(k)), "added" if added else None)
    what = str(words.get(kind, default)) % {"key": key}
    return str(_l("Edited the questionnaire of %(title)s: %(change)s (by %(who)s)")) % {
        "title": titles.of(record),
        "change": what,
        "who": record.actor,
    }


ACTIONS.update(
    {
        "consultation.create": Action(
            _l("Consultation created"),
            sentence(
                _l("Created %(title)s from the questionnaire of %(source)s (by %(who)s)"),
                title=title,
                source=value("after", "copied_from"),
            ),
        ),
        "consultation.edit": Action(
            _l("Consultation settings changed"),
            sentence(_l("Changed the settings of %(title)s (by %(who)s)"), title=title),
        ),
        "consultation.import": Action(
            _l("Questionnaire imported"),
            sentence(
                _l("Imported %(title)s from the file %(file)s (by %(who)s)"),
                title=title,
                file=value("after", "file"),
            ),
        ),
        "consultation.archive": Action(
            _l("Consultation archived"),
            sentence(_l("Archived %(title)s (by %(who)s)"), title=title),
        ),
        "consultation.restore": Action(
            _l("Consultation restored"),
            sentence(_l("Restored %(title)s from the archive (by %(who)s)"), title=title),
        ),
        "consultation.new_version": Action(
            _l("New version of a questionnaire"),
            sentence(
                _l("Imported %(title)s from the file %(file)s as a new version (by %(who)s)"),
                title=title,
                file=value("after", "file"),
            ),
        ),
        "consultation.publish": Action(
            _l("Consultation published"),
            sentence(
                _l("Published %(title)s, version %(version)s of its questionnaire (by %(who)s)"),
                title=title,
                version=value("after", "version"),
            ),
        ),
        "questionnaire.edit": Action(_l("Questionnaire edited"), _edited),
    }
)

#: A record whose action has no entry: shown plainly rather than hidden.
UNKNOWN = sentence(
    _l("%(action)s: %(target)s (by %(who)s)"),
    action=lambda record, titles: record.action,
    target=lambda record, titles: f"{record.target_type} {record.target_label}".strip(),
)


def sentences(records) -> list[tuple[object, str]]:
    """Each record with its sentence, for one page of the log."""
    titles = Titles(records)
    return [
        (r, (ACTIONS[r.action].sentence if r.action in ACTIONS else UNKNOWN)(r, titles))
        for r in records
    ]


def action_choices() -> list[tuple[str, str]]:
    """The filter's choices: every known action, by its label in the reader's language."""
    return sorted(((key, str(a.label)) for key, a in ACTIONS.items()), key=lambda c: c[1])
