"""Valid form data for any questionnaire, built from its question types."""

import io

from consultation.questionnaires.forms import field_name

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

#: Choices that make the conditional About-you questions apply.
PREFERRED = {"respondent_type": "company", "organisation_size": "small", "language": "en"}


def valid_form_data(questionnaire, overrides=None) -> dict:
    """A complete, valid contribution: every question answered, as a browser would post it."""
    data = {}
    for q in questionnaire:
        name = field_name(q)
        kind = q.kind
        if kind == "single_choice":
            data[name] = PREFERRED.get(q.key, q.option_keys[0])
        elif kind == "multiple_choice":
            count = q.min_choices or 1
            data[name] = q.option_keys[: max(count, min(2, q.max_choices or 2))]
        elif kind == "matrix":
            for row in q.row_keys:
                data[f"{name}-{row}"] = q.scale_keys[0]
        elif kind == "ranking":
            for position, key in enumerate(q.option_keys, 1):
                data[f"{name}-{key}"] = str(position)
        elif kind == "short_text":
            data[name] = "123456789012-34" if q.pattern else f"Answer to {q.key}"
        elif kind == "long_text":
            data[name] = f"A considered view on {q.key}.\nSecond line."
        elif kind == "number":
            data[name] = str(q.minimum if q.minimum is not None else 1)
        elif kind == "email":
            data[name] = "person@example.org"
        elif kind == "country":
            data[name] = "BE"
        elif kind == "file":
            data[name] = (io.BytesIO(PDF), "position.pdf")
        elif kind == "consent":
            data[name] = "y"
        else:  # a new type must teach this helper how to answer it
            raise AssertionError(f"no sample answer for {kind}")
    data.update(overrides or {})
    return data
