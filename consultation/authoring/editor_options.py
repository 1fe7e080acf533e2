"""The editor's settings that hold lists of their own: options (a key, a label in each
language, their flags), which can be given more rows and reordered, and the condition on
an earlier answer, chosen in two steps: the earlier question, then its options.

The buttons that change such a list (``act``) send the whole form back: it is shown
again as typed, with the change made and nothing saved, so no JavaScript is needed.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, FieldList, Form, FormField, HiddenField, SelectField, StringField

from .editor_operations import DOWN, UP
from .editor_settings import BLANK_ROWS, UNSET, Setting, Text, plain, short
from .forms import MultiCheckboxField

#: Pressed to add blank rows under each list of options.
MORE_ROWS = "more_rows"
#: Pressed to show the options of the earlier question picked for a condition.
SHOW_OPTIONS = "show_options"


class KeyedList(Setting):
    """Options (or a matrix's rows or scale): a key, a label in each language, and the
    yes/no settings the type lets an option carry (``exclusive``, ``other``)."""

    macro = "keyed"
    FLAG_LABELS = {
        "exclusive": _l("Exclusive (cannot be chosen with another)"),
        "other": _l("“Other”: asks to specify"),
    }

    def __init__(self, name, label, hint=None, flags=()):
        super().__init__(name, label, hint)
        self.flags = flags
        self.label_setting = Text("label", _l("Label"))

    def entry_class(self, codes):
        class Entry(Form):
            key = StringField(_l("Key"))

        for name, field in self.label_setting.fields(codes).items():
            setattr(Entry, name, field)
        for flag in self.flags:
            setattr(Entry, flag, BooleanField(self.FLAG_LABELS[flag]))
        Entry.codes = list(codes)
        return Entry

    def fields(self, codes):
        return {self.name: FieldList(FormField(self.entry_class(codes)), min_entries=BLANK_ROWS)}

    def load(self, value, codes):
        if value is UNSET:
            return {}
        entries = []
        for option in value:
            entry = {"key": option["key"], **self.label_setting.load(option["label"], codes)}
            entry.update({flag: bool(option.get(flag)) for flag in self.flags})
            entries.append(entry)
        return {self.name: entries}

    def used(self, form):
        """The rows filled in (a row left blank is no option), with their form entries."""
        rows = []
        for entry in form[self.name]:
            sub = entry.form
            if plain(sub.key.data) or any(plain(sub[f"label_{c}"].data) for c in form.codes):
                rows.append(sub)
        return rows

    def read(self, form):
        options = []
        for sub in self.used(form):
            option = {"key": plain(sub.key.data)}
            label = self.label_setting.read(sub)
            if label is not UNSET:
                option["label"] = label
            option.update({flag: True for flag in self.flags if sub[flag].data})
            options.append(option)
        return options or UNSET

    def target(self, form, error=None):
        # The loader numbers the rows it was given: those filled in (``used``).
        rows = self.used(form)
        row, part = getattr(error, "row", None), getattr(error, "part", None)
        if row and row <= len(rows):
            sub = rows[row - 1]
            if part == "label":
                return sub[f"label_{form.codes[0]}"]
            return sub[part] if part in self.flags else sub.key
        if part in self.flags:  # "every option is exclusive": the last one ticked
            ticked = [sub for sub in rows if sub[part].data]
            if ticked:
                return ticked[-1][part]
        first = rows[0] if rows else form[self.name][0].form
        return first.key

    def check(self, form, offered):
        complete = True
        for sub in self.used(form):
            complete = self.label_setting.check(sub, offered) and complete
        return complete

    def row_name(self, number) -> str:
        """A row as the error summary and its move buttons name it: "Options, row 2"."""
        return _("%(list)s, row %(number)s", list=short(self.label), number=number)

    def labelled(self, form):
        found = []
        for number, entry in enumerate(form[self.name], 1):
            sub = entry.form
            row = self.row_name(number)
            found.append((sub.key, f"{row}, {_('Key')}"))
            found.extend(self.label_setting.labelled(sub, f"{row}, {_('Label')}"))
            found.extend(
                (sub[flag], f"{row}, {short(self.FLAG_LABELS[flag])}") for flag in self.flags
            )
        return found

    def act(self, form, action):
        if action == MORE_ROWS:
            for _n in range(BLANK_ROWS):
                form[self.name].append_entry()
            return True
        name, _sep, move = (action or "").rpartition(":")  # "options:2:up"
        name, _sep, number = name.rpartition(":")
        if name != self.name or move not in (UP, DOWN) or not number.isdigit():
            return False
        self.move(form, int(number), move)
        return True

    def move(self, form, position, direction):
        """Swap the row at ``position`` (from 0) with the one above or below, as typed."""
        entries = form[self.name].entries
        target = position + (-1 if direction == UP else 1)
        if not (0 <= position < len(entries) and 0 <= target < len(entries)):
            return
        here, there = entries[position].form, entries[target].form
        for name in here._fields:
            here[name].data, there[name].data = there[name].data, here[name].data
        edge = (direction == UP and target == 0) or (
            direction == DOWN and target == len(entries) - 1
        )
        form.focus = there.key.id if edge else f"{self.name}-{target}-{direction}"


class Condition(Setting):
    """Shown only if an earlier choice question has one of some answers (``show_if``), in
    two steps: the earlier question (a list), then a tick box per option of that one only
    (a copied questionnaire has hundreds of options in all)."""

    macro = "condition"

    def __init__(self, name, label, hint=None):
        super().__init__(name, label, hint)
        self.question = f"{name}_question"
        self.shown = f"{name}_shown"  # the question whose options were shown
        self.question_label = _l("Earlier question")
        self.options_label = _l("Ask only if its answer is one of")

    def fields(self, codes):
        return {
            self.question: SelectField(self.question_label, choices=[], validate_choice=False),
            self.name: MultiCheckboxField(self.options_label, choices=[], validate_choice=False),
            self.shown: HiddenField(),
        }

    def load(self, value, codes):
        if value in (UNSET, None):
            return {}
        asked = value["question"]
        return {self.question: asked, self.shown: asked, self.name: list(value["in"])}

    def offer(self, form, questions, options_of):
        """Choices of the two steps: ``questions`` as {section: [(key, words)]}, and the
        options of the question picked (``options_of(key)``)."""
        form[self.question].choices = questions
        known = {key for group in questions.values() for key, _words in group}
        picked = form[self.question].data
        form[self.name].choices = options_of(picked) if picked in known else []

    def picked(self, form) -> str:
        return form[self.question].data or ""

    def stale(self, form) -> bool:
        """Whether another question was picked than the one whose options were ticked."""
        return self.picked(form) != (form[self.shown].data or "")

    def read(self, form):
        question = self.picked(form)
        if not question:
            return UNSET
        ticked = [] if self.stale(form) else list(form[self.name].data or [])
        return {"question": question, "in": ticked}

    def check(self, form, offered):
        if self.picked(form) and self.stale(form):
            message = _("Tick the answers of the question now chosen, then save.")
            form[self.name].errors = [*form[self.name].errors, message]
            return False
        return True

    def target(self, form, error=None):
        about_answers = getattr(error, "part", None) == "in" and self.picked(form)
        return form[self.name] if about_answers else form[self.question]

    def labelled(self, form):
        return [
            (form[self.question], short(self.question_label)),
            (form[self.name], short(self.options_label)),
        ]

    def act(self, form, action):
        if action != SHOW_OPTIONS:
            return False
        form.focus = f"{self.name}-1"  # the first of the options now shown
        return True
