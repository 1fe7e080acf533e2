"""Themes found in free-text answers, edited by analysts, and the codes they tick by hand."""

import csv
import io
import json
import random
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy import text as sql_text

from consultation.audit.models import AuditRecord
from consultation.audit.operations import Actor
from consultation.audit.sentences import sentences
from consultation.extensions import db
from consultation.publishing.operations import approve_waiting
from consultation.reports import export
from consultation.reports import sample_text as words
from consultation.reports.generate import generate_responses
from consultation.reports.models import ExportLine
from consultation.responses.models import PUBLISHABLE_SQL, Answer, Response
from consultation.responses.moderation import erase_personal_data
from consultation.themes import dedup, finding, operations, queries
from consultation.themes.models import AnswerCode, Theme, ThemeAnswer
from consultation.themes.quotes import shown_text, theme_quotes
from consultation.themes.stopwords import guess_language, languages, stop_words

from .admin_helpers import csrf_from, signed_in_client, signed_in_csrf
from .jobs_helpers import run_jobs
from .reporting import SLUG, submit

KEY = "final_comments"
ACTOR = Actor("tests")


@pytest.fixture
def generated(consultations):
    """400 synthetic contributions (with campaign copies) to the data strategy."""
    consultation = consultations[SLUG]
    generate_responses(consultation, 400, seed=7)
    db.session.commit()
    return consultation


@pytest.fixture
def analyst(app, consultations):
    return signed_in_client(app, "analyst@example.org", "analyst")


def record_of(consultation, key=KEY):
    return queries.question_by_key(consultation, key)[1]


def question_of(consultation, key=KEY):
    return queries.question_by_key(consultation, key)[0]


def found(consultation, key=KEY):
    """The stored themes as (language, terms, answers), in order."""
    db.session.expire_all()
    return [
        (row.theme.language, row.theme.terms, row.answers)
        for row in queries.themes(record_of(consultation, key).id)
    ]


def audit(action):
    db.session.expire_all()
    records = db.session.scalars(
        select(AuditRecord).where(AuditRecord.action == action).order_by(AuditRecord.id)
    ).all()
    return [(r, text) for r, text in sentences(records)]


def corpus(size=300, seed=1):
    """Representatives of ``size`` organic answers built from the generator's opinions."""
    rng = random.Random(seed)
    items = []
    for i in range(size):
        text = " ".join(rng.sample(words.OPINIONS, rng.randint(1, 3)))
        items.append(dedup.Representative(f"{i:06d}-{text[:8]}", text, "en", [i + 1]))
    return items


# -- finding themes ----------------------------------------------------------------------


def test_the_same_answers_give_the_same_themes_in_any_order():
    items = corpus()
    first = finding.find_themes(items)
    shuffled = list(items)
    random.Random(3).shuffle(shuffled)
    again = finding.find_themes(shuffled)
    assert [(t.language, t.terms, t.members) for t in first] == [
        (t.language, t.terms, t.members) for t in again
    ]
    assert 2 <= len(first) <= finding.MAX_THEMES
    assert all(len(t.terms) >= 4 for t in first)
    # Every answer is in one theme at most.
    members = [rid for theme in first for rid, _w in theme.members]
    assert len(members) == len(set(members))


def test_campaign_copies_count_once_in_finding():
    items = corpus()
    alone = finding.find_themes(items)
    copied = [dedup.Representative(i.key, i.text, i.language, list(i.response_ids)) for i in items]
    copied[0].response_ids.extend(range(10_000, 12_000))  # 2,000 copies of one text
    with_copies = finding.find_themes(copied)
    # The same themes (listed by size, so the copies' theme may move up).
    assert sorted(t.terms for t in with_copies) == sorted(t.terms for t in alone)
    holder = next(t for t in with_copies if any(rid == 10_000 for rid, _w in t.members))
    assert all(any(rid == copy for rid, _w in holder.members) for copy in (1, 10_500, 11_999))
    assert sum(len(t.members) for t in with_copies) == sum(len(t.members) for t in alone) + 2000


def test_copies_in_the_database_have_one_representative_and_one_theme(generated):
    record = record_of(generated)
    texts = dedup.representatives(record.id)
    keys = [item.key for item in texts]
    assert len(keys) == len(set(keys))
    campaign = max(texts, key=lambda item: len(item.response_ids))
    assert len(campaign.response_ids) >= 5  # the generator's campaign, pasted in many cases
    variants = set(
        db.session.scalars(
            select(Answer.text_value).where(
                Answer.question_id == record.id, Answer.text_fingerprint == campaign.key
            )
        )
    )
    assert len(variants) > 1  # upper case, spaces, punctuation: still one text
    operations.find_question_themes(record, ACTOR)
    db.session.commit()
    homes = set(
        db.session.scalars(
            select(ThemeAnswer.theme_id).where(
                ThemeAnswer.response_id.in_(campaign.response_ids),
                ThemeAnswer.question_id == record.id,
            )
        )
    )
    assert len(homes) == 1
    row = next(r for r in queries.themes(record.id) if r.theme.id in homes)
    assert row.answers - row.distinct >= len(campaign.response_ids) - 1


def test_themes_found_twice_in_the_database_are_the_same(generated):
    record = record_of(generated)
    operations.find_question_themes(record, ACTOR)
    db.session.commit()
    first = found(generated)
    operations.find_question_themes(record, ACTOR)
    db.session.commit()
    assert found(generated) == first
    assert len(first) >= 2
    assert sum(n for _l, _t, n in first) <= queries.counted_answers(record.id)


def test_too_few_answers_are_refused_in_words(generated):
    record = record_of(generated, "wanted_dataset")  # eight different dataset names
    with pytest.raises(operations.OperationRefused, match="Too few different answers"):
        operations.find_question_themes(record, ACTOR)


def test_stop_words_per_language_and_a_language_added_by_a_file(app, tmp_path):
    assert {"en", "fr", "de"} <= set(languages())
    assert {"the", "and"} <= stop_words("en")
    assert {"les", "nous"} <= stop_words("fr")
    assert {"und", "nicht"} <= stop_words("de")
    assert guess_language("Nous pensons que les données sont un bien commun.", "en") == "fr"
    assert guess_language("Data should be open and free for all.", "de") == "en"
    (tmp_path / "nl.txt").write_text("# Dutch\nde\nhet\neen\nen\nvan\n", encoding="utf-8")
    app.config["THEME_STOPWORDS_FOLDER"] = str(tmp_path)
    try:
        assert "nl" in languages()
        assert "het" in stop_words("nl")
        assert guess_language("Het is een kwestie van de data", "en") == "nl"
    finally:
        app.config.pop("THEME_STOPWORDS_FOLDER")


# -- the job and the pages -----------------------------------------------------------------


def test_an_analyst_finds_themes_with_a_job_and_sees_them(app, analyst, generated):
    page = f"/admin/consultations/{SLUG}/questions/{KEY}/themes"
    assert "No themes have been found" in analyst.get(page).get_data(as_text=True)
    token = signed_in_csrf(analyst)
    started = analyst.post(page + "/find", data={"csrf_token": token})
    assert started.status_code == 303
    waiting = analyst.get(page).get_data(as_text=True)
    assert "The themes are being found" in waiting and 'http-equiv="refresh"' in waiting
    assert run_jobs(app) == 1
    shown = analyst.get(page).get_data(as_text=True)
    assert 'http-equiv="refresh"' not in shown
    themes = found(generated)
    assert themes
    for _language, terms, _count in themes:
        assert ", ".join(terms) in shown
    assert "—" in shown  # quotes, with who wrote them
    ((entry, text),) = audit("themes.find")
    assert entry.actor == "analyst@example.org"
    assert re.match(rf"Found \d+ themes in the answers to {SLUG}: {KEY} \(by analyst", text), text
    index = analyst.get(f"/admin/consultations/{SLUG}/themes").get_data(as_text=True)
    assert f"/questions/{KEY}/themes" in index and f"/questions/{KEY}/coding" in index
    consultation_page = analyst.get(f"/admin/consultations/{SLUG}").get_data(as_text=True)
    assert f"/admin/consultations/{SLUG}/themes" in consultation_page


def test_rename_merge_and_split_are_audited(analyst, generated):
    record = record_of(generated)
    operations.find_question_themes(record, ACTOR)
    db.session.commit()
    token = signed_in_csrf(analyst)
    rows = queries.themes(record.id)
    first, second, third = (row.theme.id for row in rows[:3])
    total = sum(row.answers for row in rows)

    assert (
        analyst.post(
            f"/admin/themes/{first}/rename", data={"csrf_token": token, "label": "  "}
        ).status_code
        == 302
    )
    assert db.session.get(Theme, first).label is None  # a blank name is refused
    analyst.post(f"/admin/themes/{first}/rename", data={"csrf_token": token, "label": "Trust"})
    db.session.expire_all()
    assert db.session.get(Theme, first).name == "Trust"

    merge = f"/admin/consultations/{SLUG}/questions/{KEY}/themes/merge"
    analyst.post(
        merge,
        data={"csrf_token": token, "theme": [str(second), str(third)], "label": "Rules and costs"},
    )
    db.session.expire_all()
    after_merge = queries.themes(record.id)
    assert len(after_merge) == len(rows) - 1
    merged = db.session.get(Theme, second)
    assert merged.name == "Rules and costs" and db.session.get(Theme, third) is None
    assert sum(row.answers for row in after_merge) == total

    result = analyst.post(f"/admin/themes/{second}/split", data={"csrf_token": token})
    assert result.status_code == 302
    db.session.expire_all()
    after_split = queries.themes(record.id)
    assert len(after_split) == len(rows)
    assert db.session.get(Theme, second) is None
    assert sum(row.answers for row in after_split) == total

    texts = [text for _r, text in audit("theme.rename")]
    assert texts == [
        "Renamed the theme “"
        + ", ".join(rows[0].theme.terms[:4])
        + "” to “Trust” (by analyst@example.org)"
    ]
    ((_r, merged_text),) = audit("theme.merge")
    assert merged_text.startswith("Merged the themes “") and "into “Rules and costs”" in merged_text
    ((_r, split_text),) = audit("theme.split")
    assert split_text.startswith("Split the theme “Rules and costs” into “")


def test_coding_by_hand_without_javascript_is_audited(analyst, generated):
    record = record_of(generated)
    token = signed_in_csrf(analyst)
    coding = f"/admin/consultations/{SLUG}/questions/{KEY}/coding"
    codes_url = f"/admin/consultations/{SLUG}/questions/{KEY}/codes"
    for label in ("Data protection", "Costs for SMEs", "Standards"):
        assert (
            analyst.post(codes_url, data={"csrf_token": token, "label": label}).status_code == 302
        )
    refused = analyst.post(
        codes_url, data={"csrf_token": token, "label": "data PROTECTION"}, follow_redirects=True
    )
    assert "already has the code" in refused.get_data(as_text=True)
    codes = {code.label: code.id for code in queries.codebook(record.id)}
    assert set(codes) == {"Data protection", "Costs for SMEs", "Standards"}

    page = analyst.get(coding).get_data(as_text=True)
    shown = [int(v) for v in re.findall(r'name="shown" value="(\d+)"', page)]
    assert len(shown) == 50  # the first page
    one, two = shown[0], shown[1]
    form = {
        "csrf_token": token,
        "shown": [str(i) for i in shown],
        f"code-{one}": [str(codes["Data protection"]), str(codes["Standards"])],
        f"code-{two}": [str(codes["Costs for SMEs"])],
    }
    saved = analyst.post(coding, data=form, follow_redirects=True)
    assert "Codes saved: 2 answers changed." in saved.get_data(as_text=True)
    assert queries.codes_of([one, two], record.id) == {
        one: {codes["Data protection"], codes["Standards"]},
        two: {codes["Costs for SMEs"]},
    }
    # Unticking on the response's page, in its own form.
    response_page = analyst.get(f"/admin/responses/{one}").get_data(as_text=True)
    assert f'action="/admin/responses/{one}/codes/{KEY}"' in response_page
    analyst.post(
        f"/admin/responses/{one}/codes/{KEY}",
        data={"csrf_token": token, "code": [str(codes["Standards"])]},
    )
    assert queries.codes_of([one], record.id) == {one: {codes["Standards"]}}
    # Another question's code cannot be ticked here.
    stranger = operations.create_code(record_of(generated, "data_use_case"), "Health", ACTOR)
    db.session.commit()
    analyst.post(
        f"/admin/responses/{one}/codes/{KEY}",
        data={"csrf_token": token, "code": [str(stranger.id)]},
    )
    assert queries.codes_of([one], record.id) == {one: {codes["Standards"]}}

    uncoded = analyst.get(coding + "?uncoded=1").get_data(as_text=True)
    assert f'name="shown" value="{one}"' not in uncoded
    counts = queries.code_counts(record.id)
    assert counts == {codes["Standards"]: 1, codes["Costs for SMEs"]: 1}

    analyst.post(
        f"/admin/codes/{codes['Standards']}/rename",
        data={"csrf_token": token, "label": "Common standards"},
    )
    confirm = analyst.post(
        f"/admin/codes/{codes['Costs for SMEs']}/delete", data={"csrf_token": token}
    )
    assert "taken off the 1 answer that has it" in confirm.get_data(as_text=True)
    assert db.session.scalar(
        select(AnswerCode.id).where(AnswerCode.code_id == codes["Costs for SMEs"])
    )
    analyst.post(
        f"/admin/codes/{codes['Costs for SMEs']}/delete",
        data={"csrf_token": token, "confirm": "yes"},
    )
    db.session.expire_all()
    assert [c.label for c in queries.codebook(record.id)] == ["Common standards", "Data protection"]

    coded = [text for _r, text in audit("answer.code")]
    assert coded[0] == (
        f"Coded the answer of response {one} to {KEY}: added Data protection, Standards "
        "(by analyst@example.org)"
    )
    assert coded[2] == (
        f"Coded the answer of response {one} to {KEY}: removed Data protection "
        "(by analyst@example.org)"
    )
    assert len(coded) == 3
    assert [t for _r, t in audit("code.create")][0] == (
        f"Added the code “Data protection” to the codebook of {KEY} (by analyst@example.org)"
    )
    assert [t for _r, t in audit("code.rename")] == [
        "Renamed the code “Standards” to “Common standards” (by analyst@example.org)"
    ]
    assert [t for _r, t in audit("code.delete")] == [
        "Deleted the code “Costs for SMEs”, ticked on 1 answer (by analyst@example.org)"
    ]


# -- exports -------------------------------------------------------------------------------


def _coded(consultation, publishable_only=False):
    """Codes given to the first three answers (of those the public file holds, if asked)."""
    record = record_of(consultation)
    query = (
        select(Answer.response_id)
        .join(Response, Response.id == Answer.response_id)
        .where(Answer.question_id == record.id, Response.flag.is_(None))
        .order_by(Answer.response_id)
    )
    if publishable_only:
        query = query.where(sql_text(PUBLISHABLE_SQL))
    answered = db.session.scalars(query).all()
    protection = operations.create_code(record, "Data protection", ACTOR)
    costs = operations.create_code(record, "Costs", ACTOR)
    responses = {
        r.id: r for r in db.session.scalars(select(Response).where(Response.id.in_(answered[:3])))
    }
    operations.set_codes(responses[answered[0]], record, [protection.id], ACTOR)
    operations.set_codes(responses[answered[1]], record, [protection.id, costs.id], ACTOR)
    db.session.commit()
    return answered


def read_csv(consultation, personal):
    text = "".join(export.iter_csv(consultation, personal))
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.mark.parametrize("personal", [True, False])
def test_codes_are_columns_of_the_csv_export(generated, personal):
    if not personal:  # the public file holds only contributions a moderator approved
        approve_waiting(generated, ACTOR)
        db.session.commit()
    before = read_csv(generated, personal)
    answered = _coded(generated, publishable_only=not personal)
    rows = read_csv(generated, personal)
    header = rows[0]
    assert header[-2:] == [f"{KEY}:code:Costs", f"{KEY}:code:Data protection"]
    assert header[:-2] == before[0]
    first_column = "reference" if personal else "contribution"
    assert header[0] == first_column
    ids = {
        r.reference if personal else str(r.id): r.id for r in db.session.scalars(select(Response))
    }
    cells = {ids[row[0]]: row[-2:] for row in rows[1:]}
    assert cells[answered[0]] == ["0", "1"]
    assert cells[answered[1]] == ["1", "1"]
    assert cells[answered[2]] == ["0", "0"]
    unanswered = next(i for i in cells if i not in set(answered))
    assert cells[unanswered] == ["", ""]
    assert [row[:-2] for row in rows[1:]] == before[1:]  # the ready lines themselves unchanged
    # Built from the answers (no ready line), the file is the same.
    db.session.execute(ExportLine.__table__.delete())
    db.session.commit()
    assert read_csv(generated, personal) == rows


def test_codes_are_columns_of_the_xlsx_export(generated):
    answered = _coded(generated)
    out = io.BytesIO()
    export.write_xlsx(generated, True, out)
    book = load_workbook(io.BytesIO(out.getvalue()), read_only=True)
    sheet = [list(row) for row in book["Responses"].iter_rows(values_only=True)]
    assert sheet[0][-1].endswith("– code: Data protection")
    references = {r.reference: r.id for r in db.session.scalars(select(Response))}
    cells = {references[row[0]]: row[-2:] for row in sheet[1:]}
    assert cells[answered[1]] == [1, 1] and cells[answered[2]] == [0, 0]
    legend = [list(row) for row in book["Columns"].iter_rows(values_only=True)]
    assert legend[-1][1] == f"{KEY}:code:Data protection"
    assert "ticked this code" in legend[-1][3]
    csv_rows = read_csv(generated, True)
    assert len(csv_rows) == len(sheet)


# -- quotes, publication and erasure ------------------------------------------------------


class Row:
    def __init__(self, **values):
        self.respondent_type = values.get("respondent_type", "eu_citizen")
        self.publication = values.get("publication", "anonymous")
        self.first_name = values.get("first_name")
        self.surname = values.get("surname")


def test_quotes_blank_e_mails_and_the_names_of_the_anonymous():
    text = "I am Zebulon Quixote (zebulon.secret@example.org); zebulon cares."
    anonymous = Row(first_name="Zebulon", surname="Quixote")
    assert shown_text(text, anonymous) == "I am [name] [name] ([e-mail]); [name] cares."
    public = Row(first_name="Zebulon", surname="Quixote", publication="public")
    assert shown_text(text, public) == "I am Zebulon Quixote ([e-mail]); zebulon cares."
    company = Row(respondent_type="company", publication="public", first_name="Ada")
    assert shown_text("Ada wrote this", company) == "[name] wrote this"  # its contact person


def test_erasure_and_marks_take_answers_out_of_the_quotes(client, generated):
    record = record_of(generated)
    question = question_of(generated)
    mine = submit(
        client,
        generated,
        {
            "q_publication": "anonymous",
            "q_first_name": "Zebulon",
            "q_surname": "Quixote",
            "q_email": "z@example.org",
            KEY: None,
            "q_final_comments": words.OPINIONS[0],
        },
    )
    operations.find_question_themes(record, ACTOR)
    db.session.commit()

    def quoted():
        db.session.expire_all()
        ids = set()
        for row in queries.themes(record.id):
            ids |= {q.response_id for q in theme_quotes(row.theme, question, 40, lambda r: "")}
        return ids

    before = quoted()
    assert before
    counts = [row.answers for row in queries.themes(record.id)]
    erased = db.session.get(Response, sorted(before)[0])
    erase_personal_data(erased, ACTOR, request_reference=erased.reference)
    db.session.commit()
    assert erased.id not in quoted()
    assert [row.answers for row in queries.themes(record.id)] == counts  # still counted
    flagged = db.session.get(Response, sorted(before)[1])
    flagged.flag = "spam"
    db.session.commit()
    assert flagged.id not in quoted()
    assert mine.id is not None


# -- the summary report and the command line ---------------------------------------------


def test_the_summary_has_a_section_of_themes_and_codes(generated):
    from consultation.reports.pdf import summary_pdf
    from consultation.reports.summary import build_summary

    from .reporting import pdf_text

    record = record_of(generated)
    operations.find_question_themes(record, ACTOR)
    _coded(generated)
    summary = build_summary(generated, locale="en")
    (section,) = summary.themes
    assert section.key == KEY and section.themes and section.codes
    assert sum(n for _name, n, *_rest in section.themes) <= section.answers
    assert ("Data protection", 2) == section.codes[1][:2]
    text = pdf_text(summary_pdf(generated, locale="en"))
    assert "6. Themes and codes of the free-text answers" in text
    assert "7. Methods note" in text
    assert "Words that weigh most" in text
    assert "@example.org" not in text
    french = pdf_text(summary_pdf(generated, locale="fr"))
    assert "Thèmes et codes des réponses libres" in french


def test_the_command_line_finds_and_prints_themes(app, generated, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reports", "find-themes", SLUG, "--question", KEY])
    assert result.exit_code == 0, result.output
    assert re.search(rf"{SLUG} {KEY}: \d+ themes", result.output)
    again = runner.invoke(args=["reports", "find-themes", SLUG, "--if-empty"])
    assert f"{KEY}" not in again.output.replace("wanted_dataset", "")
    printed = runner.invoke(args=["reports", "themes", SLUG, "--question", KEY, "--format", "json"])
    assert printed.exit_code == 0, printed.output
    data = json.loads(printed.output)
    assert data["question"] == KEY and data["themes"]
    assert [t["terms"] for t in data["themes"]] == [terms for _l, terms, _n in found(generated)]
    assert all({"text", "who"} <= set(q) for t in data["themes"] for q in t["quotes"])
    out = tmp_path / "themes.csv"
    written = runner.invoke(args=["reports", "themes", SLUG, "--question", KEY, "-o", str(out)])
    assert written.exit_code == 0, written.output
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == list(
        ["kind", "number", "name", "language", "answers", "distinct_texts", "terms", "quotes"]
    )
    assert rows[1][0] == "theme" and int(rows[1][4]) == data["themes"][0]["answers"]
    wrong = runner.invoke(args=["reports", "themes", SLUG, "--question", "q_email"])
    assert wrong.exit_code != 0 and "not a free-text question" in wrong.output
    fewer = runner.invoke(args=["reports", "find-themes", SLUG, "--question", "wanted_dataset"])
    assert fewer.exit_code != 0 and "Too few different answers" in fewer.output


# -- who may do what ------------------------------------------------------------------------


def theme_rules(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if app.view_functions[rule.endpoint].__module__ == "consultation.themes.views"
    ]


def concrete(rule, values):
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: str(values[m.group(1)]), rule.rule)


def test_every_theme_page_is_guarded_and_open_to_analysts(app, client, analyst, generated):
    record = record_of(generated)
    (theme, *_rest) = operations.find_question_themes(record, ACTOR)
    code = operations.create_code(record, "Spare", ACTOR)
    db.session.commit()
    response_id = db.session.scalar(
        select(ThemeAnswer.response_id).where(ThemeAnswer.theme_id == theme.id)
    )
    values = {
        "slug": SLUG,
        "key": KEY,
        "theme_id": theme.id,
        "code_id": code.id,
        "response_id": response_id,
    }
    rules = theme_rules(app)
    assert len(rules) >= 12
    token = signed_in_csrf(analyst)
    anonymous_token = csrf_from(client.get("/admin/sign-in"))
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            url = concrete(rule, values)
            anonymous = client.open(url, method=method, data={"csrf_token": anonymous_token})
            assert anonymous.status_code == 302, (url, method)
            assert "/admin/sign-in" in anonymous.headers["Location"]
            result = analyst.open(url, method=method, data={"csrf_token": token})
            assert result.status_code in (200, 302, 303), (url, method, result.status_code)
    assert analyst.get(f"/admin/consultations/{SLUG}/questions/q_email/themes").status_code == 404
    assert analyst.get(f"/admin/consultations/{SLUG}/questions/nope/coding").status_code == 404
