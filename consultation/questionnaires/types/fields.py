"""WTForms fields for answers made of several form keys (matrix rows, ranking positions,
the text of an "Other" option)."""

from wtforms import Field, SelectField, SelectMultipleField
from wtforms.utils import unset_value


class KeyedField(Field):
    """Reads ``<name>-<sub>`` for each sub-key and keeps a mapping of the non-empty values.

    The sub-keys are given by the question type; anything else the browser sends
    under other names is ignored, so forged rows never reach the answer.
    """

    def __init__(self, *args, sub_keys=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.sub_keys = tuple(sub_keys)
        self.raw_count = 0

    def process(self, formdata, data=None, extra_filters=None):
        self.process_errors = []
        self.data = dict(data or {})
        self.raw_data = []
        if formdata is not None:
            received = {}
            for sub in self.sub_keys:
                values = formdata.getlist(f"{self.name}-{sub}")
                if len(values) > 1:
                    # Repeated keys are a forged request: keep none so validation complains.
                    received[sub] = None
                elif values and values[0] != "":
                    received[sub] = values[0]
            self.data = received
            self.raw_data = list(received.values())

    def sub_id(self, sub):
        return f"{self.id}-{sub}"

    def sub_name(self, sub):
        return f"{self.name}-{sub}"

    def form_names(self) -> list[str]:
        """Every form key this field reads."""
        return [self.sub_name(sub) for sub in self.sub_keys]


class OtherTextMixin:
    """A choice field that also reads ``<name>-other``: what was written for "Other".

    The text box has a name of its own, so the choice is posted exactly as
    without it; the data given to show an answer again may carry the text
    (``{"chosen": ..., "other": ...}``).
    """

    other_text = ""

    @property
    def other_name(self) -> str:
        return f"{self.name}-other"

    @property
    def other_id(self) -> str:
        # Not "<id>-other": that is the id of the option "other" itself (option keys have no "-").
        return f"{self.id}-other-text"

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.other_text = ""
        if isinstance(data, dict):
            self.other_text = data.get("other") or ""
            data = data.get("chosen")
        super().process(formdata, data, extra_filters)
        if formdata is not None:
            self.other_text = formdata.get(self.other_name, "")

    def form_names(self) -> list[str]:
        return [self.name, self.other_name]


class SelectWithOther(OtherTextMixin, SelectField):
    """One option, and the text of "Other"."""


class SelectMultipleWithOther(OtherTextMixin, SelectMultipleField):
    """Several options, and the text of "Other"."""


def form_names(field) -> list[str]:
    """The form keys a question's field reads (a draft keeps what was typed under each)."""
    names = getattr(field, "form_names", None)
    return names() if names else [field.name]
