"""WTForms fields for answers made of several form keys (matrix rows, ranking positions)."""

from wtforms import Field


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
