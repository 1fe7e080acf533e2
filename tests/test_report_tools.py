"""The respondent's PDF copy, the demo data generator and the report commands."""

import csv
import io
import time
from collections import Counter

from openpyxl import load_workbook
from sqlalchemy import func, select

from consultation.audit.operations import Actor
from consultation.consultations.queries import consultation_by_slug
from consultation.extensions import db
from consultation.publishing.operations import approve_waiting
from consultation.questionnaires.types.base import chosen, other_text
from consultation.reports import generate
from consultation.reports.summary import build_summary
from consultation.responses.fingerprint import normalise_text, text_fingerprint
from consultation.responses.models import Answer, Response, Upload
from consultation.responses.queries import response_values

from .reporting import PEOPLE, SCRIPT, SLUG, pdf_text, submit_with_link


def test_respondent_downloads_a_pdf_copy_from_the_receipt(client, consultations):
    consultation = consultations[SLUG]
    response, receipt_link = submit_with_link(client, consultation, PEOPLE[1])
    receipt = client.get(receipt_link).get_data(as_text=True)
    link = f"{receipt_link}/copy.pdf"
    assert link in receipt

    result = client.get(link)

    assert result.status_code == 200
    assert result.mimetype == "application/pdf"
    assert result.headers["Cache-Control"] == "no-store"
    text = pdf_text(result.data)
    assert response.reference in text
    assert "26 May 2025, 12:00 Brussels time" in text
    values = response_values(response)
    for question in consultation.questionnaire:
        for line in question.display(values.get(question.key)):
            assert " ".join(line.split()) in text, line
    assert SCRIPT in text  # what the person typed, as text


def test_copy_of_an_unknown_receipt_link_is_not_found(client, consultations):
    assert client.get(f"/contributions/receipt/{'x' * 43}/copy.pdf").status_code == 404
    assert client.get(f"/contributions/edit/{'x' * 43}/copy.pdf").status_code == 404


def test_generator_makes_valid_varied_responses_quickly(app, consultations):
    consultation = consultations[SLUG]
    started = time.perf_counter()
    generate.generate_responses(consultation, 400, seed=7, upload_folder=None)
    db.session.commit()
    assert time.perf_counter() - started < 20

    assert db.session.scalar(select(func.count()).select_from(Response)) == 400
    types = dict(
        db.session.execute(
            select(Response.respondent_type, func.count()).group_by(Response.respondent_type)
        ).all()
    )
    questionnaire = consultation.questionnaire
    assert set(types) == set(questionnaire.questions["respondent_type"].option_keys)
    countries = db.session.scalar(select(func.count(func.distinct(Response.country))))
    assert countries >= 15
    assert max(types.values()) > 3 * min(types.values())  # skewed, not uniform
    assert db.session.scalar(select(func.count()).select_from(Upload)) > 0

    for response in db.session.scalars(select(Response).limit(60)):
        values = response_values(response)
        visible = {q.key for q in questionnaire.visible_questions(values)}
        assert set(values) <= visible
        for question in questionnaire.visible_questions(values):
            assert not question.required or question.key in values, question.key
        roles = chosen(values["data_role"])
        assert roles and set(roles) <= set(questionnaire.questions["data_role"].option_keys)
        assert "no_role" not in roles or roles == ["no_role"]  # an exclusive option goes alone
        obstacles = chosen(values.get("access_obstacles", []))
        assert len(obstacles) <= 3
        for question in questionnaire:  # "Other" always says what it is
            keys = chosen(values.get(question.key)) if question.other_key else None
            if keys and question.other_key in (keys if isinstance(keys, list) else [keys]):
                assert other_text(values[question.key]), question.key


def test_campaign_groups_hold_every_set_of_identical_texts(app, consultations):
    """Each set of three or more identical answers (case, spacing and punctuation aside) is
    inside one near-identical group, which holds at least as many."""
    from consultation.campaigns.operations import regroup

    consultation = consultations[SLUG]
    generate.generate_responses(consultation, 600, seed=3)
    db.session.commit()
    regroup(consultation)
    db.session.commit()
    final = next(r for r in consultation.questions if r.key == "final_comments")
    texts = db.session.scalars(
        select(Answer.text_value)
        .join(Response, Response.id == Answer.response_id)
        .where(Answer.question_id == final.id, Response.flag.is_(None))
    ).all()
    expected = sorted(n for n in Counter(map(normalise_text, texts)).values() if n >= 3)
    label = consultation.questionnaire.questions["final_comments"].label()
    summary = build_summary(consultation, campaign_threshold=3)
    found = sorted(c.size for c in summary.campaigns if c.question == label)
    assert expected and found  # at least one campaign
    assert len(found) >= len(expected)
    for size, at_least in zip(sorted(found)[::-1], sorted(expected)[::-1], strict=False):
        assert size >= at_least


def test_stored_fingerprints_equal_fingerprints_computed_again(app, consultations):
    generate.generate_responses(consultations[SLUG], 100, seed=5)
    db.session.commit()
    rows = db.session.execute(select(Answer.text_value, Answer.text_fingerprint)).all()
    assert rows and all(text_fingerprint(text) == stored for text, stored in rows)
    assert normalise_text("  Hello,   WORLD!! ") == normalise_text("hello world")


def test_summary_and_export_commands(app, consultations, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["dev", "generate", SLUG, "--responses", "120", "--seed", "1"])
    assert result.exit_code == 0, result.output
    assert "120 responses in" in result.output and "/s" in result.output
    again = runner.invoke(args=["dev", "generate", SLUG, "--responses", "50", "--if-empty"])
    assert "nothing generated" in again.output
    counted = db.session.scalar(
        select(func.count()).select_from(Response).where(Response.flag.is_(None))
    )

    target = tmp_path / "summary.pdf"
    result = runner.invoke(args=["reports", "summary", SLUG, "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert f"{counted} contributions are counted in this report." in pdf_text(target.read_bytes())
    result = runner.invoke(
        args=["reports", "summary", SLUG, "-o", str(target), "--respondent-type", "eu_citizen"]
    )
    assert result.exit_code == 0 and "Respondent type: EU citizen" in pdf_text(target.read_bytes())
    result = runner.invoke(args=["reports", "summary", SLUG, "-o", str(target), "--language", "de"])
    assert result.exit_code == 0
    assert "Zusammenfassender Sachbericht" in pdf_text(target.read_bytes())

    sheet = tmp_path / "public.csv"
    approve_waiting(consultation_by_slug(SLUG), Actor("tests"))  # the public export: moderated
    db.session.commit()
    result = runner.invoke(
        args=["reports", "export", SLUG, "--format", "csv", "-o", str(sheet), "--public"]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(sheet.read_text(encoding="utf-8-sig"))))
    assert len(rows) == counted + 1 and "email" not in rows[0]

    book = tmp_path / "all.xlsx"
    result = runner.invoke(args=["reports", "export", SLUG, "--format", "xlsx", "-o", str(book)])
    assert result.exit_code == 0, result.output
    sheet_rows = list(load_workbook(book, read_only=True)["Responses"].values)
    assert len(sheet_rows) == counted + 1 and "E-mail address" in sheet_rows[0]  # the questions

    missing = runner.invoke(args=["reports", "summary", "no-such", "-o", str(target)])
    assert missing.exit_code != 0 and "no consultation" in missing.output


def test_copy_speaks_the_readers_language(client, consultations):
    consultation = consultations[SLUG]
    _, receipt_link = submit_with_link(client, consultation, PEOPLE[0])
    link = f"{receipt_link}/copy.pdf"
    french = pdf_text(client.get(link, headers={"Accept-Language": "fr"}).data)
    assert "Copie d’une contribution" in french and "Référence de la contribution" in french
    assert "heure de Bruxelles" in french and "Vos réponses" in french
    label = consultation.questionnaire.questions["data_ease"].label("fr")
    assert " ".join(label.replace("\xa0", " ").split()) in french.replace("\xa0", " ")
    assert "Page 1 sur " in french
    assert "Your answers" not in french and "Brussels time" not in french and " of " not in french
    german = pdf_text(client.get(link, headers={"Accept-Language": "de"}).data)
    assert "Kopie eines Beitrags" in german and "Brüsseler Zeit" in german
    assert "Seite 1 von" in german
