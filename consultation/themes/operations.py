"""Writes on themes and codes. Each is audited; each flushes, the caller commits once."""

from flask_babel import gettext as _
from sqlalchemy import delete, func, insert, select, update

from .. import clock
from ..audit.operations import Target, record
from ..errors import OperationRefused
from ..extensions import db
from . import dedup, finding
from .models import AnswerCode, Code, Theme, ThemeAnswer

LABEL_MAX = 200
CODE_MAX = 100


def question_target(question) -> Target:
    """A question as the audit log names it: its consultation and key."""
    return Target("question", question.id, f"{question.consultation.slug}: {question.key}")


def _insert_themes(question, found, position=0) -> list[Theme]:
    themes = []
    for offset, item in enumerate(found):
        theme = Theme(
            question_id=question.id,
            language=item.language,
            terms=item.terms,
            position=position + offset,
            found_at=clock.now_utc(),
        )
        db.session.add(theme)
        themes.append(theme)
    db.session.flush()
    rows = [
        {"theme_id": theme.id, "question_id": question.id, "response_id": rid, "weight": weight}
        for theme, item in zip(themes, found, strict=True)
        for rid, weight in item.members
    ]
    for start in range(0, len(rows), 10_000):
        db.session.execute(insert(ThemeAnswer), rows[start : start + 10_000])
    return themes


def find_question_themes(question, actor, progress=None) -> list[Theme]:
    """Find the themes of ``question``'s answers afresh, in place of those it had.

    Refused, with the reason, when there are too few distinct answers.
    """
    texts = dedup.representatives(question.id)
    if progress:
        progress()
    found = finding.find_themes(texts)
    if not found:
        raise OperationRefused(
            _(
                "Too few different answers to find themes: %(count)s, at least %(needed)s "
                "are needed (copies of the same text count once).",
                count=len(texts),
                needed=finding.MIN_TEXTS,
            )
        )
    before = db.session.scalar(select(func.count()).where(Theme.question_id == question.id))
    db.session.execute(delete(ThemeAnswer).where(ThemeAnswer.question_id == question.id))
    db.session.execute(delete(Theme).where(Theme.question_id == question.id))
    themes = _insert_themes(question, found)
    record(
        actor,
        "themes.find",
        question_target(question),
        before={"themes": before},
        after={
            "themes": len(themes),
            "answers": sum(len(item.members) for item in found),
            "texts": len(texts),
        },
    )
    return themes


def _clean_label(label, limit) -> str:
    label = " ".join((label or "").split())
    if not label:
        raise OperationRefused(_("Type a name."))
    if len(label) > limit:
        raise OperationRefused(
            _(
                "A name has at most %(limit)s characters; this one has %(count)s.",
                limit=limit,
                count=len(label),
            )
        )
    return label


def rename_theme(theme: Theme, label: str, actor) -> None:
    """Give a theme the name an analyst chose."""
    label = _clean_label(label, LABEL_MAX)
    if label == theme.label:
        return
    before = theme.name
    theme.label = label
    db.session.flush()
    record(actor, "theme.rename", theme, before={"name": before}, after={"name": label})


def _interleave(lists, size=finding.TOP_TERMS) -> list:
    terms = []
    for rank in range(max(map(len, lists), default=0)):
        for words in lists:
            if rank < len(words) and words[rank] not in terms:
                terms.append(words[rank])
    return terms[:size]


def merge_themes(themes: list[Theme], actor, label: str | None = None) -> Theme:
    """Make one theme of ``themes`` (of one question): the first keeps its place."""
    if len(themes) < 2:
        raise OperationRefused(_("Choose at least two themes to merge."))
    if len({theme.question_id for theme in themes}) != 1:
        raise OperationRefused(_("Only themes of the same question can be merged."))
    themes = sorted(themes, key=lambda theme: (theme.position, theme.id))
    kept, others = themes[0], themes[1:]
    names = [theme.name for theme in themes]
    other_ids = [theme.id for theme in others]
    db.session.execute(
        update(ThemeAnswer).where(ThemeAnswer.theme_id.in_(other_ids)).values(theme_id=kept.id)
    )
    kept.terms = _interleave([theme.terms for theme in themes])
    if len({theme.language for theme in themes}) > 1:
        kept.language = None
    if label and label.strip():
        kept.label = _clean_label(label, LABEL_MAX)
    elif any(theme.label for theme in themes):
        kept.label = " + ".join(names)[:LABEL_MAX]
    for theme in others:
        db.session.delete(theme)
    db.session.flush()
    record(actor, "theme.merge", kept, before={"themes": names}, after={"name": kept.name})
    return kept


def split_theme(theme: Theme, actor) -> list[Theme]:
    """Find two themes within ``theme``'s answers, in its place."""
    members = db.session.scalars(
        select(ThemeAnswer.response_id).where(ThemeAnswer.theme_id == theme.id)
    ).all()
    texts = dedup.representatives(theme.question_id, members)
    found = finding.fit(texts, theme.language, 2) if len(texts) >= 4 else []
    if len(found) < 2:
        raise OperationRefused(
            _(
                "This theme cannot be split: its %(count)s different answers do not fall "
                "into two groups of words.",
                count=len(texts),
            )
        )
    placed = {rid for item in found for rid, _weight in item.members}
    # Answers the smaller model has no word for stay together, in the larger part.
    found.sort(key=lambda item: -len(item.members))
    found[0].members.extend((rid, 0.0) for rid in members if rid not in placed)
    question, position, name = theme.question, theme.position, theme.name
    db.session.execute(
        update(Theme)
        .where(Theme.question_id == question.id, Theme.position > position)
        .values(position=Theme.position + 1)
    )
    db.session.execute(delete(ThemeAnswer).where(ThemeAnswer.theme_id == theme.id))
    db.session.delete(theme)
    db.session.flush()
    parts = _insert_themes(question, found, position)
    record(
        actor,
        "theme.split",
        question_target(question),
        before={"name": name},
        after={"themes": [part.name for part in parts]},
    )
    return parts


# -- the codebook ----------------------------------------------------------------------


def _refuse_taken(question_id, label, code_id=None):
    taken = db.session.scalar(
        select(Code.id).where(
            Code.question_id == question_id, func.lower(Code.label) == label.lower()
        )
    )
    if taken is not None and taken != code_id:
        raise OperationRefused(_("The codebook already has the code “%(label)s”.", label=label))


def create_code(question, label: str, actor) -> Code:
    """Add a code to the question's codebook."""
    label = _clean_label(label, CODE_MAX)
    _refuse_taken(question.id, label)
    code = Code(question_id=question.id, label=label, created_at=clock.now_utc())
    db.session.add(code)
    db.session.flush()
    record(actor, "code.create", code, after={"question": question.key, "name": label})
    return code


def rename_code(code: Code, label: str, actor) -> None:
    """Rename a code; the answers it is ticked on keep it."""
    label = _clean_label(label, CODE_MAX)
    if label == code.label:
        return
    _refuse_taken(code.question_id, label, code.id)
    before = code.label
    code.label = label
    db.session.flush()
    record(actor, "code.rename", code, before={"name": before}, after={"name": label})


def delete_code(code: Code, actor) -> int:
    """Delete a code and its ticks; how many answers had it."""
    ticked = db.session.scalar(select(func.count()).where(AnswerCode.code_id == code.id))
    db.session.execute(delete(AnswerCode).where(AnswerCode.code_id == code.id))
    record(actor, "code.delete", code, before={"name": code.label, "answers": ticked})
    db.session.delete(code)
    db.session.flush()
    return ticked


def set_codes(response, question, code_ids, actor) -> bool:
    """Tick exactly ``code_ids`` (of ``question``'s codebook) on ``response``'s answer.

    Audited when something changed; whether it did. Ids of other questions' codes
    are refused.
    """
    codebook = {
        code.id: code.label
        for code in db.session.scalars(select(Code).where(Code.question_id == question.id))
    }
    wanted = {int(code_id) for code_id in code_ids}
    if wanted - codebook.keys():
        raise OperationRefused(_("A code chosen is not in this question's codebook."))
    ticked = set(
        db.session.scalars(
            select(AnswerCode.code_id).where(
                AnswerCode.response_id == response.id,
                AnswerCode.code_id.in_(list(codebook) or [0]),
            )
        )
    )
    added, removed = wanted - ticked, ticked - wanted
    if not added and not removed:
        return False
    if removed:
        db.session.execute(
            delete(AnswerCode).where(
                AnswerCode.response_id == response.id, AnswerCode.code_id.in_(list(removed))
            )
        )
    now = clock.now_utc()
    for code_id in sorted(added):
        db.session.add(
            AnswerCode(
                code_id=code_id, response_id=response.id, coded_at=now, coded_by_id=actor.user_id
            )
        )
    db.session.flush()

    def names(ids):
        return sorted(codebook[i] for i in ids)

    record(
        actor,
        "answer.code",
        response,
        before={"codes": names(ticked)},
        after={
            "codes": names(wanted),
            "added": names(added),
            "removed": names(removed),
            "question": question.key,
        },
    )
    return True
