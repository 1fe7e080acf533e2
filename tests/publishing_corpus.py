"""A corpus of contributions for the privacy-leak tests, and everything public to read.

``build_corpus`` sends, through the public form, contributions under every
publication choice with names, e-mail addresses, organisations and register
numbers found nowhere else; moderates them (some redactions, one contribution
withheld, one answer withheld, one left waiting); erases one and flags one; then
closes the consultation. ``Corpus.forbidden`` lists what must never be public,
``Corpus.expected`` what must be (so a test reading nothing fails).

To cover a new public output, read it with ``public_texts`` (or add its URLs to
``public_urls``): the open-data API and bulk files can be added the same way.
"""

import csv
import io
from dataclasses import dataclass, field

from openpyxl import load_workbook
from sqlalchemy import select

from consultation.audit.operations import Actor
from consultation.extensions import db
from consultation.publishing import operations
from consultation.reports import export, pdf
from consultation.responses.models import Answer, Response, Upload
from consultation.responses.moderation import erase_personal_data

from .answers import PDF
from .reporting import SLUG, pdf_text, submit

MODERATOR = Actor("moderator@example.org")
#: After the Data Union Strategy's official closing (18 July 2025).
CLOSED = "2025-07-21T10:00:00"


def _person(kind, choice, first, surname, comment, **more):
    answers = dict(
        q_respondent_type=kind,
        q_publication=choice,
        q_first_name=first,
        q_surname=surname,
        q_email=f"{first.lower()}.{surname.lower()}@leak-test.example",
        q_final_comments=comment,
        q_data_use_case="Shared mobility data helps commuters.",
        q_wanted_dataset="Timetables of every bus line",
    )
    answers.update(more)
    return answers


def _organisation(kind, choice, first, surname, comment, name, register, **more):
    return _person(
        kind,
        choice,
        first,
        surname,
        comment,
        q_organisation_name=name,
        q_organisation_size="small",
        q_transparency_register=register,
        **more,
    )


def _paper(name):
    return (io.BytesIO(PDF), name)


@dataclass
class Corpus:
    """The consultation, its contributions by role, what is forbidden and what is expected."""

    consultation: object
    responses: dict = field(default_factory=dict)
    #: Strings that must appear in no public output.
    forbidden: list = field(default_factory=list)
    #: Strings that must appear in the public pages (the test reads something real).
    expected: list = field(default_factory=list)
    #: The public IDs of contributions that must not be shown, and their files' ids.
    hidden_ids: list = field(default_factory=list)
    hidden_uploads: list = field(default_factory=list)
    shown_uploads: list = field(default_factory=list)

    @property
    def shown_ids(self) -> list:
        return [
            r.public_id
            for key, r in self.responses.items()
            if key in ("citizen_public", "citizen_anonymous", "org_public", "org_anonymous")
        ]


def _answer(response, key):
    record = next(q for q in response.consultation.questions if q.key == key)
    return db.session.scalar(
        select(Answer).where(Answer.response_id == response.id, Answer.question_id == record.id)
    )


def build_corpus(client, consultations, frozen_clock) -> Corpus:
    """Send, moderate and close the corpus (see the module's docstring); commit."""
    consultation = consultations[SLUG]
    corpus = Corpus(consultation)
    people = {
        "citizen_public": _person(
            "eu_citizen",
            "public",
            "Philippa",
            "Publicworth",
            "My neighbour Bartholomew Nachbarsson shares his data. Citizens deserve open data.",
            q_position_paper=_paper("philippa-publicworth-paper.pdf"),
        ),
        "citizen_anonymous": _person(
            "non_eu_citizen",
            "anonymous",
            "Anselm",
            "Hiddenbury",
            "Please keep me anonymous; call me on +32 470 99 88 77.",
            q_position_paper=_paper("anselm-hiddenbury-notes.pdf"),
        ),
        "org_public": _organisation(
            "company",
            "public",
            "Cornelius",
            "Contactperson",
            "Our company wants clear rules; the rival Grimbold Widgets lies.",
            "Quillfeather Analytics",
            "111122223333-44",
            q_position_paper=_paper("quillfeather-position.pdf"),
        ),
        "org_anonymous": _organisation(
            "ngo",
            "anonymous",
            "Ottilie",
            "Obscurova",
            "Our NGO asks for safeguards.",
            "Tidewater Rights Collective",
            "555566667777-88",
            q_data_use_case="Use case told by Ottilie Obscurova herself.",  # withheld below
        ),
        "withheld": _person(
            "eu_citizen", "public", "Wilhelmina", "Withheldova", "WITHHELD-SECRET-7731 is true."
        ),
        "erased": _person(
            "eu_citizen", "public", "Erasmus", "Erasedson", "ERASED-TEXT-4410 about data."
        ),
        "spam": _person("eu_citizen", "public", "Spamuel", "Flaggerty", "SPAM-TEXT-9922 cheap!"),
        "waiting": _person(
            "eu_citizen", "public", "Penelope", "Pendingham", "PENDING-TEXT-5561 not read yet."
        ),
    }
    for key, answers in people.items():
        corpus.responses[key] = submit(client, consultation, answers)
    r = corpus.responses

    # Moderation: two redactions, one answer withheld, one contribution withheld.
    answer = _answer(r["citizen_public"], "final_comments")
    operations.redact(
        r["citizen_public"], MODERATOR, answer.id, "Bartholomew Nachbarsson", "third_party"
    )
    answer = _answer(r["citizen_anonymous"], "final_comments")
    operations.redact(
        r["citizen_anonymous"], MODERATOR, answer.id, "+32 470 99 88 77", "third_party"
    )
    answer = _answer(r["org_public"], "final_comments")
    operations.redact(r["org_public"], MODERATOR, answer.id, "Grimbold Widgets", "defamatory")
    withheld_answer = _answer(r["org_anonymous"], "data_use_case")
    operations.decide_part(
        r["org_anonymous"], MODERATOR, "withheld", answer_id=withheld_answer.id, reason="offensive"
    )
    for key in (
        "citizen_public",
        "citizen_anonymous",
        "org_public",
        "org_anonymous",
        "erased",
        "spam",
    ):
        operations.approve(r[key], MODERATOR)
    operations.withhold(r["withheld"], MODERATOR, "defamatory", "Accuses a named person")
    erase_personal_data(r["erased"], MODERATOR, "Asked by e-mail")
    r["spam"].flag = "spam"
    db.session.commit()

    uploads = {
        key: db.session.scalars(select(Upload.id).where(Upload.response_id == item.id)).all()
        for key, item in r.items()
    }
    corpus.shown_uploads = uploads["citizen_public"] + uploads["org_public"]
    corpus.hidden_uploads = [
        upload_id
        for key, ids in uploads.items()
        if key not in ("citizen_public", "org_public")
        for upload_id in ids
    ]
    corpus.hidden_ids = [r[key].public_id for key in ("withheld", "erased", "spam", "waiting")]
    every = list(people.values())
    corpus.forbidden = [
        *(answers["q_email"] for answers in every),
        "@leak-test.example",
        "Anselm",
        "Hiddenbury",
        "Cornelius",
        "Contactperson",
        "Ottilie",
        "Obscurova",
        "anselm-hiddenbury-notes",
        # Redacted words, a withheld answer, withheld, erased, flagged and waiting texts.
        "Bartholomew",
        "Nachbarsson",
        "+32 470 99 88 77",
        "Grimbold",
        "Use case told by Ottilie",
        "WITHHELD-SECRET-7731",
        "Wilhelmina",
        "Withheldova",
        "ERASED-TEXT-4410",
        "Erasmus",
        "Erasedson",
        "SPAM-TEXT-9922",
        "Spamuel",
        "Flaggerty",
        "PENDING-TEXT-5561",
        "Penelope",
        "Pendingham",
        # Private references.
        *(item.reference for item in r.values()),
    ]
    corpus.expected = [
        "Philippa",
        "Publicworth",
        "Quillfeather Analytics",
        "111122223333-44",
        "Tidewater Rights Collective",  # an organisation is named whatever its choice
        "Citizens deserve open data",
        "Our NGO asks for safeguards",
        "[removed]",
    ]
    frozen_clock.set_brussels(CLOSED)
    return corpus


def public_urls(corpus) -> list[str]:
    """Every public page of the corpus: the list (plain, each filter, searches for each
    forbidden word, the next page), each contribution (shown and hidden), each file."""
    slug = corpus.consultation.slug
    base = f"/consultations/{slug}/contributions"
    urls = ["/", f"/consultations/{slug}", base, base + "?has_attachment=yes"]
    for name, values in (
        ("respondent_type", ["eu_citizen", "non_eu_citizen", "company", "ngo"]),
        ("country", ["BE"]),
        ("language", ["en"]),
        ("organisation_size", ["small"]),
    ):
        urls += [f"{base}?{name}={value}" for value in values]
    for word in ("data", "safeguards", "removed"):  # a search echoes its words: none private
        urls.append(f"{base}?q={word}")
    for public_id in corpus.shown_ids + corpus.hidden_ids:
        urls.append(f"{base}/{public_id}")
    for response in corpus.responses.values():
        for upload_id in corpus.shown_uploads + corpus.hidden_uploads:
            urls.append(f"{base}/{response.public_id}/files/{upload_id}")
    return urls + api_urls(corpus)


def api_urls(corpus) -> list[str]:
    """Every answer of the open-data API about the corpus: the documents, the results, the
    list (plain, each filter, searches, small pages), each contribution (shown, hidden and
    by private reference), the bulk files and each free-text question's file."""
    slug = corpus.consultation.slug
    api = f"/api/v1/consultations/{slug}"
    urls = ["/api/v1/consultations", api, f"{api}/results", "/api/v1/openapi.json"]
    urls += [f"{api}/results?lang={lang}" for lang in ("fr", "de")]
    base = f"{api}/contributions"
    urls += [base, f"{base}?limit=1", f"{base}?hasAttachment=true", f"{base}?hasAttachment=false"]
    urls += [f"{base}?userType={kind}" for kind in ("eu_citizen", "company", "ngo")]
    urls += [f"{base}?country=BE", f"{base}?language=en", f"{base}?companySize=small"]
    urls += [f"{base}?q={word}" for word in ("data", "safeguards", "removed")]
    for public_id in corpus.shown_ids + corpus.hidden_ids:
        urls.append(f"{base}/{public_id}")
    urls += [f"{base}/{r.reference}" for r in corpus.responses.values()]
    urls += [f"{base}.jsonl", f"{base}.csv"]
    from consultation.api.contributions import free_text_questions

    urls += [f"{api}/texts/{key}.jsonl" for key in free_text_questions(corpus.consultation)]
    return urls


def public_texts(client, corpus) -> dict[str, str]:
    """Every public output of the corpus as text, by name: each URL of ``public_urls``
    (with its status and headers), the public CSV and XLSX exports, the summary PDF."""
    texts = {}
    for url in public_urls(corpus):
        result = client.get(url)
        headers = "\n".join(f"{k}: {v}" for k, v in result.headers.items())
        body = result.get_data(as_text=True) if result.status_code == 200 else ""
        texts[url] = f"{result.status_code}\n{headers}\n{body}"
    consultation = corpus.consultation
    texts["export.csv"] = "".join(export.iter_csv(consultation, False))
    buffer = io.BytesIO()
    export.write_xlsx(consultation, False, buffer)
    book = load_workbook(io.BytesIO(buffer.getvalue()), read_only=True)
    texts["export.xlsx"] = "\n".join(
        "\t".join("" if v is None else str(v) for v in row)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
    )
    texts["summary.pdf"] = pdf_text(pdf.summary_pdf(consultation))
    # The bulk files again, once their job has prepared them: served from disk.
    from consultation.jobs.queue import queue_of

    queue_of(client.application).run_pending()
    db.session.expire_all()
    for url in api_urls(corpus):
        if url.endswith((".jsonl", ".csv")):
            texts[f"{url} (prepared)"] = client.get(url).get_data(as_text=True)
    return texts


def csv_rows(text: str) -> list[dict]:
    header, *rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    return [dict(zip(header, row, strict=True)) for row in rows]


__all__ = [
    "CLOSED",
    "Corpus",
    "Response",
    "build_corpus",
    "csv_rows",
    "public_texts",
    "public_urls",
]
