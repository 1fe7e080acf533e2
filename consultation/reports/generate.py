"""Synthetic but plausible responses, inserted in bulk, for demos and benchmarks.

Answers are made by the question types themselves (``to_rows``), so every
generated response is one the questionnaire could have accepted: conditions are
followed, limits respected. Distributions are skewed, every respondent type and
many countries occur, and some free-text answers are campaign copies of one text.
"""

import hashlib
import random
import secrets
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from sqlalchemy import func, insert, select

from .. import clock
from ..consultations.operations import current_version
from ..extensions import db
from ..publishing.operations import settle
from ..questionnaires.options import EU_MEMBERS, country_codes
from ..questionnaires.types.file_upload import UploadedFile
from ..responses.fingerprint import text_fingerprint
from ..responses.models import Answer, Response, Upload
from ..responses.operations import new_reference, new_submission_token
from ..responses.references import new_public_id
from . import ready_lines, tallies
from . import sample_text as words

#: Share of responses whose free texts copy a campaign text.
CAMPAIGN_SHARE = 0.07
FLAGGED_SHARE = 0.005
UPLOAD_SHARE = 0.04
NON_EU_SHARE = 0.12
PDF_BYTES = b"%PDF-1.4\n% generated position paper\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
RESPONSE_COLUMNS = [c.name for c in Response.__table__.columns if c.name != "id"]


def response_count(consultation) -> int:
    """How many responses the consultation has, flagged or not."""
    query = select(func.count()).where(Response.consultation_id == consultation.id)
    return db.session.scalar(query)


class _Maker:
    """Makes the values of one synthetic response, question type by question type."""

    def __init__(self, questionnaire, rng):
        self.questionnaire = questionnaire
        self.rng = rng
        self._weights = {}
        eu = sorted(EU_MEMBERS, key=lambda c: rng.random())
        others = [code for code in words.NON_EU if code in country_codes()]
        self.eu, self.others = eu, others
        long_texts = [q.key for q in questionnaire if q.kind == "long_text"]
        #: Campaigns paste their text into the last free-text question (final comments).
        self.campaign_key = long_texts[-1] if long_texts else None
        self.eu_weights = [1 / (i + 1) ** 0.9 for i in range(len(eu))]
        self.other_weights = [1 / (i + 1) ** 1.2 for i in range(len(others))]

    def weights(self, key, size):
        """Skewed weights for ``size`` options, in an order fixed per question."""
        if (key, size) not in self._weights:
            order = list(range(size))
            self.rng.shuffle(order)
            weights = [0.0] * size
            for rank, index in enumerate(order):
                weights[index] = 1 / (rank + 1) ** 1.1 + 0.02
            self._weights[(key, size)] = weights
        return self._weights[(key, size)]

    def pick(self, key, options):
        return self.rng.choices(options, self.weights(key, len(options)))[0]

    def draw(self, key, options, number):
        """``number`` different options, drawn one after the other by weight."""
        weights = list(self.weights(key, len(options)))
        drawn = []
        for _ in range(min(number, len(options))):
            index = self.rng.choices(range(len(options)), weights)[0]
            drawn.append(options[index])
            weights[index] = 0.0
        return drawn

    def pick_many(self, key, options, low, high):
        chosen = set(self.draw(key, options, self.rng.randint(low, high)))
        return [option for option in options if option in chosen]

    def country(self):
        if self.rng.random() < NON_EU_SHARE:
            return self.rng.choices(self.others, self.other_weights)[0]
        return self.rng.choices(self.eu, self.eu_weights)[0]

    def values(self, campaign):
        """Answers of one response: only visible questions, required ones always."""
        values = {}
        for question in self.questionnaire:
            if not question.visible(values):
                continue
            wanted = campaign and question.key == self.campaign_key
            if not (question.required or wanted) and self.rng.random() > self._answer_rate(
                question
            ):
                continue
            value = self.value(question, values, campaign)
            if question.other_key and value:  # "Other" chosen: say what it is
                value = question.with_other(value, words.other_text(self.rng, question))
            if value not in (None, [], {}):
                values[question.key] = value
        return values

    def _answer_rate(self, question):
        if question.kind == "file":
            return UPLOAD_SHARE
        return {"long_text": 0.4, "short_text": 0.35, "email": 0.2}.get(question.kind, 0.85)

    def value(self, question, values, campaign):
        rng, kind = self.rng, question.kind
        if question.key == "country" or kind == "country":
            return self.country()
        if kind == "single_choice":
            if question.profile == "respondent_type":
                return rng.choices(question.option_keys, words.TYPE_WEIGHTS)[0]
            if question.profile == "publication":
                return "public" if rng.random() < 0.6 else "anonymous"
            if question.profile == "language":
                return rng.choices(words.LANGUAGES, words.LANGUAGE_WEIGHTS)[0]
            return self.pick(question.key, question.option_keys)
        if kind == "multiple_choice":
            keys = question.option_keys
            high = question.max_choices or min(len(keys), 4)
            picked = self.pick_many(question.key, keys, question.min_choices or 1, high)
            alone = [key for key in picked if key in question.exclusive_keys]
            if alone and len(picked) > 1:  # "None of these" goes with nothing else
                picked = [key for key in picked if key not in alone] or alone[:1]
            return picked
        if kind == "matrix":
            return {
                row: self.pick(f"{question.key}.{row}", question.scale_keys)
                for row in question.row_keys
            }
        if kind == "ranking":
            order = self.draw(question.key, question.option_keys, len(question.option_keys))
            return {key: rank for rank, key in enumerate(order, 1)}
        if kind == "number":
            low = question.minimum if question.minimum is not None else 0
            high = question.maximum if question.maximum is not None else 1000
            number = rng.triangular(low, high, low + (high - low) * 0.1)
            return round(number) if question.integer else round(number, 1)
        if kind == "short_text":
            return words.short_text(rng, question)
        if kind == "long_text":
            chosen = campaign if question.key == self.campaign_key else None
            return words.long_text(rng, question, chosen)
        if kind == "email":
            return words.email(rng)
        if kind == "file":
            return UploadedFile("position-paper.pdf", "pdf", "application/pdf", PDF_BYTES)
        if kind == "consent":
            return True
        raise ValueError(f"the generator cannot answer a {kind} question")


def generate_responses(
    consultation, count: int, *, seed=None, batch_size=2000, upload_folder=None, progress=None
) -> int:
    """Insert ``count`` synthetic responses into ``consultation`` in bulk; flushes, no commit."""
    rng = random.Random(seed)
    questionnaire = consultation.questionnaire
    question_ids = {record.key: record.id for record in consultation.questions}
    maker = _Maker(questionnaire, rng)
    start = consultation.opens_at
    end = min(consultation.ended_at, clock.now_utc())
    span = max((end - start).total_seconds(), 60)
    done = 0
    while done < count:
        size = min(batch_size, count - done)
        _insert_batch(consultation, maker, question_ids, size, start, span, upload_folder)
        done += size
        if progress:
            progress(size)
    return done


def _insert_batch(consultation, maker, question_ids, size, start, span, upload_folder):
    rng, questionnaire = maker.rng, maker.questionnaire
    profile = questionnaire.profile_questions()
    version = current_version(consultation)
    responses, answer_sets = [], []
    for _ in range(size):
        campaign = words.pick_campaign(rng) if rng.random() < CAMPAIGN_SHARE else None
        values = maker.values(campaign)
        # Most contributions arrive close to the deadline.
        moment = start + timedelta(seconds=span * (1 - rng.random() ** 2.5) - 1)
        flagged = rng.random() < FLAGGED_SHARE
        row = dict.fromkeys(RESPONSE_COLUMNS)
        row.update(
            consultation_id=consultation.id,
            reference=new_reference(),
            public_id=new_public_id(),
            submission_token=new_submission_token(),
            submitted_at=moment,
            moderation="pending",  # settled below: approved when there is nothing to review
            has_public_file=False,
            questionnaire_version=version,
            flag="spam" if flagged else None,
            flagged_at=moment if flagged else None,
        )
        for column, question in profile.items():
            row[column] = question.column_value(values.get(question.key))
        if row.get("first_name") and row.get("email") is None:
            row["email"] = words.email(rng, row["first_name"], row["surname"])
        responses.append(row)
        answer_sets.append(values)

    table = Response.__table__
    ids = (
        db.session.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), responses
        )
        .scalars()
        .all()
    )
    answers, uploads = [], []
    for response_id, values in zip(ids, answer_sets, strict=True):
        for key, value in values.items():
            question = questionnaire.questions[key]
            for stored in question.answer_rows(value):
                answer = vars(stored)
                answer.update(
                    response_id=response_id,
                    question_id=question_ids[key],
                    text_fingerprint=_fingerprint(stored.text_value),
                )
                answers.append(answer)
            for attachment in question.attachments(value):
                uploads.append(_upload(response_id, question_ids[key], attachment, upload_folder))
    if answers:
        db.session.execute(insert(Answer.__table__), answers)
    if uploads:
        db.session.execute(insert(Upload.__table__), uploads)
    ready_lines.refresh(consultation, ids[0], ids[-1])
    tallies.enqueue(ids)
    settle(consultation, ids)


@lru_cache(maxsize=65536)
def _fingerprint(text):
    return text_fingerprint(text)  # generated texts repeat: hash each one once


def _upload(response_id, question_id, attachment, upload_folder):
    stored_name = secrets.token_hex(16)
    if upload_folder:
        folder = Path(upload_folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / stored_name).write_bytes(attachment.data)
    return {
        "response_id": response_id,
        "question_id": question_id,
        "original_name": attachment.filename,
        "stored_name": stored_name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": hashlib.sha256(attachment.data).hexdigest(),
        "created_at": clock.now_utc(),
    }
