"""``flask reports themes`` (print a question's themes and codes) and ``flask reports
find-themes`` (find them now, or with ``--queue`` by a worker)."""

import csv
import json
import sys
from pathlib import Path

import click
from flask_babel import force_locale

from ..audit.operations import Actor
from ..consultations.queries import consultation_by_slug
from ..errors import OperationRefused
from ..extensions import db
from . import jobs, operations, queries
from .quotes import theme_quotes
from .summary import attribution_for

CSV_COLUMNS = ("kind", "number", "name", "language", "answers", "distinct_texts", "terms", "quotes")


def _consultation(slug):
    consultation = consultation_by_slug(slug)
    if consultation is None:
        raise click.ClickException(f"There is no consultation '{slug}'.")
    return consultation


def _question(consultation, key):
    found = queries.question_by_key(consultation, key)
    if found is None:
        keys = ", ".join(q.key for q, _r in queries.free_text_questions(consultation))
        raise click.ClickException(
            f"'{key}' is not a free-text question of {consultation.slug} (those are: {keys})."
        )
    return found


def themes_data(consultation, question, record, quotes=3) -> dict:
    """A question's themes (counts, terms, quotes) and codes (counts), as plain data."""
    who = attribution_for(consultation, "en")
    counts = queries.code_counts(record.id)
    return {
        "consultation": consultation.slug,
        "question": question.key,
        "answers": queries.counted_answers(record.id),
        "themes": [
            {
                "number": number,
                "id": row.theme.id,
                "name": row.theme.name,
                "language": row.theme.language,
                "answers": row.answers,
                "distinct_texts": row.distinct,
                "terms": row.theme.terms,
                "quotes": [
                    {"text": quote.text, "who": quote.who}
                    for quote in theme_quotes(row.theme, question, quotes, who)
                ],
            }
            for number, row in enumerate(queries.themes(record.id), 1)
        ],
        "codes": [
            {"id": code.id, "name": code.label, "answers": counts.get(code.id, 0)}
            for code in queries.codebook(record.id)
        ],
    }


def write_csv(data, out) -> None:
    """One row per theme, then one per code."""
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for theme in data["themes"]:
        writer.writerow(
            [
                "theme",
                theme["number"],
                theme["name"],
                theme["language"] or "",
                theme["answers"],
                theme["distinct_texts"],
                " ".join(theme["terms"]),
                " | ".join(quote["text"] for quote in theme["quotes"]),
            ]
        )
    for number, code in enumerate(data["codes"], 1):
        writer.writerow(["code", number, code["name"], "", code["answers"], "", "", ""])


@click.command("themes")
@click.argument("slug")
@click.option("--question", "key", required=True, help="The free-text question (its key).")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File (default: standard output).",
)
def themes_command(slug, key, fmt, output):
    """Print the themes and codes of one free-text question of consultation SLUG."""
    consultation = _consultation(slug)
    question, record = _question(consultation, key)
    with force_locale("en"):
        data = themes_data(consultation, question, record)
    out = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        if fmt == "json":
            json.dump(data, out, ensure_ascii=False, indent=2)
            out.write("\n")
        else:
            write_csv(data, out)
    finally:
        if output:
            out.close()
    if output:
        click.echo(f"{slug}: {len(data['themes'])} themes, {len(data['codes'])} codes -> {output}")


@click.command("find-themes")
@click.argument("slug")
@click.option("--question", "key", help="Only this free-text question (its key).")
@click.option("--if-empty", is_flag=True, help="Skip the questions that have themes already.")
@click.option("--queue", "queued", is_flag=True, help="Hand the work to the workers.")
def find_themes_command(slug, key, if_empty, queued):
    """Find the themes of the free-text answers of consultation SLUG."""
    consultation = _consultation(slug)
    actor = Actor.command_line()
    if queued:
        if not key:
            raise click.UsageError("--queue needs --question KEY.")
        _question(consultation, key)
        from ..jobs.operations import request_job

        job, _joined = request_job(
            "themes",
            {"consultation_id": consultation.id, "question": key},
            actor,
            consultation,
            locale="en",
        )
        db.session.commit()
        click.echo(f"{slug}: queued as job {job.id}")
        return
    with force_locale("en"):
        if key:
            _question_def, record = _question(consultation, key)
            if if_empty and queries.themes(record.id):
                click.echo(f"{slug} {key}: has themes already")
                return
            try:
                found = {key: len(operations.find_question_themes(record, actor))}
            except OperationRefused as refusal:
                raise click.ClickException(str(refusal)) from None
        else:
            found = jobs.find_all(consultation, actor, if_empty=if_empty)
    db.session.commit()
    for question_key, result in found.items():
        said = f"{result} themes" if isinstance(result, int) else result
        click.echo(f"{slug} {question_key}: {said}")
