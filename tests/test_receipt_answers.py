"""The receipt shows every answer under its question, as the template once wrote them.

The answers' part of the receipt is written in Python from headings and labels
made once per definition and language (``pages.answers_markup``); it must say
exactly what the template's loop said, escaped the same way.
"""

import re

import pytest
from flask import render_template_string
from markupsafe import escape

from consultation.responses.pages import answers_markup
from consultation.responses.queries import response_values

from .reporting import PEOPLE, SLUG, submit, submit_with_link

#: The receipt's loop before the answers were written in Python: the reference.
TEMPLATE_LOOP = """
{% for section in questionnaire.sections %}
  {% set answered = section.questions|selectattr('key', 'in', values)|list %}
  {% if answered %}
  <h3>{{ section.heading(locale) }}</h3>
  <dl class="answers">
    {% for q in answered %}
    <dt>{{ q.label(locale) }}</dt>
    <dd>{% for line in q.display(values[q.key], locale) %}{{ line }}
      {%- if not loop.last %}<br>{% endif %}{% endfor %}</dd>
    {% endfor %}
  </dl>
  {% endif %}
{% endfor %}
"""


def squeezed(html) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


@pytest.mark.parametrize("locale", ["en", "fr", "de", "el"])
def test_the_answers_are_what_the_template_wrote(app, client, consultations, locale):
    consultation = consultations[SLUG]
    hostile = {
        **PEOPLE[1],
        "q_final_comments": '<script>alert("x")</script> & more\nsecond line',
    }
    response = submit(client, consultation, hostile)
    values = response_values(response)
    for question in consultation.questionnaire.sections[1].questions:
        values.pop(question.key, None)  # a section without answers is left out altogether
    with app.test_request_context():
        expected = render_template_string(
            TEMPLATE_LOOP, questionnaire=consultation.questionnaire, values=values, locale=locale
        )
        written = answers_markup(consultation, values, locale)
        assert squeezed(written) == squeezed(expected)
        heading = consultation.questionnaire.sections[1].heading(locale)
        assert str(escape(heading)) not in written
        assert answers_markup(consultation, values, locale) == written  # from the cached parts
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; more<br>second line" in written
    assert "<script>" not in written


def test_the_receipt_page_shows_every_answer(client, consultations):
    consultation = consultations[SLUG]
    response, link = submit_with_link(client, consultation, PEOPLE[0])
    page = client.get(link)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    values = response_values(response)
    assert values
    for question in consultation.questionnaire:
        if question.key in values:
            assert f"<dt>{escape(question.label('en'))}</dt>" in text
            for line in question.display(values[question.key], "en"):
                assert str(escape(line)) in text
