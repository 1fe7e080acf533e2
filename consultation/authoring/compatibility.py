"""Which changes a questionnaire may take once it has opened: those that keep every stored
answer readable, valid and meaning what it meant.

Allowed: wording (labels, hints, option labels, any text in any language), order, new
languages, looser limits, and new optional questions. Refused: a question or option
removed (or its key changed, which is the same for stored answers), a type or profile
changed, a condition changed, an optional question made required, a new option, row
or scale point (earlier respondents could not choose it), and limits tightened so that
an answer already given could be refused (a lower maximum, a higher minimum, a pattern,
fewer file types). The rules read the normalised definitions only (the loader writes
every default out), so they hold for every question type by its settings' names.
"""

from dataclasses import dataclass

from flask_babel import gettext as _

from ..formatting import current_locale
from ..questionnaires.text import tr

#: Settings whose value may only go up (a larger maximum accepts every answer given).
MAXIMUMS = ("max_length", "max_choices", "max", "max_size_kb")
#: Settings whose value may only go down.
MINIMUMS = ("min_choices", "min")
#: Yes/no settings that may be turned off but not on.
TIGHTENING_FLAGS = ("integer", "all_rows_required")
#: Lists of keyed choices, as the loader normalises them; what each item is called.
KEYED_LISTS = ("options", "rows", "scale")


@dataclass(frozen=True)
class Problem:
    """One refused change: the question (and option) it concerns, and why, in words."""

    question: str | None
    message: str
    option: str | None = None

    def __str__(self):
        return self.message


def _questions(definition) -> dict:
    return {
        spec["key"]: spec for section in definition["sections"] for spec in section["questions"]
    }


def compatibility_problems(old: dict, new: dict, *, retired=frozenset()) -> list[Problem]:
    """Why ``new`` cannot replace ``old`` once responses may exist; empty when it can.

    ``retired``: keys of questions no longer asked whose answers are kept, which a new
    question may not take (their answers would show up as its own).
    """
    locale = current_locale()
    problems = _dates(old, new)
    before, after = _questions(old), _questions(new)
    for key, spec in before.items():
        name = _name(spec, locale)
        if key not in after:
            problems.append(
                Problem(
                    key,
                    _(
                        "%(question)s: removed, or its key changed. Answers to it are stored, "
                        "so it must stay with the key %(key)s.",
                        question=name,
                        key=key,
                    ),
                )
            )
            continue
        problems.extend(_changed(spec, after[key], name, locale))
    for key, spec in after.items():
        if key in before:
            continue
        name = _name(spec, locale)
        if key in retired:
            problems.append(
                Problem(
                    key,
                    _(
                        "%(question)s: the key %(key)s belonged to an earlier question whose "
                        "answers are kept. Give the new question another key.",
                        question=name,
                        key=key,
                    ),
                )
            )
        if spec.get("required"):
            problems.append(
                Problem(
                    key,
                    _(
                        "%(question)s: a new question must be optional, since the contributions "
                        "already received have no answer to it.",
                        question=name,
                    ),
                )
            )
    return problems


def _name(spec, locale) -> str:
    label = tr(spec["text"], locale).strip()
    short = label if len(label) <= 80 else label[:77] + "…"
    return _("Question “%(label)s” (%(key)s)", label=short, key=spec["key"])


def _dates(old, new) -> list[Problem]:
    problems = []
    if new["opens"] != old["opens"]:
        problems.append(
            Problem(
                None,
                _(
                    "The opening date cannot change once the consultation has opened: the file "
                    "says %(new)s, the consultation %(old)s.",
                    new=new["opens"],
                    old=old["opens"],
                ),
            )
        )
    if new["closes"] != old["closes"]:
        problems.append(
            Problem(
                None,
                _(
                    "The closing date is not changed by a file once the consultation has "
                    "opened: the file says %(new)s, the consultation %(old)s. Use “Change the "
                    "closing date” on the consultation’s page.",
                    new=new["closes"],
                    old=old["closes"],
                ),
            )
        )
    return problems


def _changed(old, new, name, locale) -> list[Problem]:
    key = old["key"]
    if new["type"] != old["type"]:
        return [
            Problem(
                key,
                _(
                    "%(question)s: its type cannot change from %(old)s to %(new)s, since its "
                    "answers are stored as %(old)s. Ask it as a new question with a new key.",
                    question=name,
                    old=old["type"],
                    new=new["type"],
                ),
            )
        ]
    problems = []
    if new.get("required") and not old.get("required"):
        problems.append(
            Problem(
                key,
                _(
                    "%(question)s: it cannot become required, since some contributions may "
                    "have left it blank.",
                    question=name,
                ),
            )
        )
    for setting, why in (
        ("show_if", _("when it is asked (its condition)")),
        ("profile", _("where its answer is kept (its profile field)")),
        ("options_from", _("the list its options come from")),
    ):
        if old.get(setting) != new.get(setting):
            problems.append(
                Problem(
                    key,
                    _(
                        "%(question)s: %(what)s cannot change: the stored answers were given "
                        "under the old one.",
                        question=name,
                        what=why,
                    ),
                )
            )
    for setting in KEYED_LISTS:
        problems.extend(_keyed_list(key, name, setting, old.get(setting), new.get(setting)))
    problems.extend(_limits(old, new, name))
    return problems


def _keyed_list(key, name, setting, old, new) -> list[Problem]:
    if old is None and new is None:
        return []
    old, new = old or [], new or []
    before = {item["key"]: item for item in old}
    after = {item["key"]: item for item in new}
    labels = {"options": _("option"), "rows": _("statement"), "scale": _("point of the scale")}
    what = labels[setting]
    problems = []
    for item_key, item in before.items():
        label = tr(item["label"], current_locale())
        if item_key not in after:
            problems.append(
                Problem(
                    key,
                    _(
                        "%(question)s: the %(what)s “%(label)s” (%(key)s) was removed, or its "
                        "key changed; answers that chose it are stored.",
                        question=name,
                        what=what,
                        label=label,
                        key=item_key,
                    ),
                    item_key,
                )
            )
            continue
        changed = after[item_key]
        if bool(changed.get("other")) != bool(item.get("other")):
            problems.append(
                Problem(
                    key,
                    _(
                        "%(question)s: the %(what)s “%(label)s” cannot start or stop asking "
                        "“please specify”: it changes what its stored answers hold.",
                        question=name,
                        what=what,
                        label=label,
                    ),
                    item_key,
                )
            )
        if changed.get("exclusive") and not item.get("exclusive"):
            problems.append(
                Problem(
                    key,
                    _(
                        "%(question)s: the %(what)s “%(label)s” cannot become exclusive: some "
                        "contributions may have chosen it with others.",
                        question=name,
                        what=what,
                        label=label,
                    ),
                    item_key,
                )
            )
    for item_key, item in after.items():
        if item_key not in before:
            problems.append(
                Problem(
                    key,
                    _(
                        "%(question)s: the new %(what)s “%(label)s” (%(key)s) cannot be added: "
                        "earlier respondents could not choose it, so the counts would compare "
                        "unlike answers. Ask it in a new optional question instead.",
                        question=name,
                        what=what,
                        label=tr(item["label"], current_locale()),
                        key=item_key,
                    ),
                    item_key,
                )
            )
    return problems


def _limits(old, new, name) -> list[Problem]:
    key = old["key"]
    tightened = []
    for setting in MAXIMUMS:
        low, high = old.get(setting), new.get(setting)
        if high is not None and (low is None or high < low):
            tightened.append(_limit_words(setting, low, high))
    for setting in MINIMUMS:
        low, high = old.get(setting), new.get(setting)
        if high is not None and (low is None or high > low):
            tightened.append(_limit_words(setting, low, high))
    for setting in TIGHTENING_FLAGS:
        if new.get(setting) and not old.get(setting, False):
            tightened.append(_limit_words(setting, False, True))
    if new.get("pattern") and new.get("pattern") != old.get("pattern"):
        tightened.append(_limit_words("pattern", old.get("pattern"), new["pattern"]))
    dropped = [ext for ext in old.get("extensions", ()) if ext not in new.get("extensions", ())]
    if dropped:
        tightened.append(
            _("the file types %(types)s are no longer accepted", types=", ".join(dropped))
        )
    return [
        Problem(
            key,
            _(
                "%(question)s: %(change)s, so an answer already given could be refused. Limits "
                "may only be loosened.",
                question=name,
                change=change,
            ),
        )
        for change in tightened
    ]


def _limit_words(setting, old, new) -> str:
    none = _("none")
    names = {
        "max_length": _("the maximum length"),
        "max_choices": _("the most options one may choose"),
        "max": _("the largest number accepted"),
        "max_size_kb": _("the largest file size (KB)"),
        "min_choices": _("the fewest options one must choose"),
        "min": _("the smallest number accepted"),
        "integer": _("whole numbers only"),
        "all_rows_required": _("an answer for every statement"),
        "pattern": _("the format required"),
    }
    return _(
        "%(setting)s changes from %(old)s to %(new)s",
        setting=names[setting],
        old=none if old in (None, False) else (_("yes") if old is True else old),
        new=_("yes") if new is True else new,
    )
