"""``flask reports campaigns`` (the members of each group, as CSV) and ``flask campaigns``."""

import csv
import time
from pathlib import Path

import click
from flask.cli import AppGroup

from ..consultations.queries import all_consultations
from ..extensions import db
from ..reports.cli import _consultation, reports_cli
from . import queries
from .operations import regroup

campaigns_cli = AppGroup("campaigns", help="Groups of near-identical free-text answers.")
COLUMNS = ("campaign", "reference", "question", "similarity", "added_text")


def write_csv(consultation, out, question_id=...) -> int:
    """One row per member of each group of two or more; the number of rows written."""
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    written = 0
    for number, reference, key, similarity, added in queries.export_rows(consultation, question_id):
        writer.writerow([number, reference, key or "", f"{similarity:.3f}", added or ""])
        written += 1
    return written


@reports_cli.command("campaigns")
@click.argument("slug")
@click.option("--question", "question_key", help="Only the groups of this question (its key).")
@click.option("--format", "fmt", type=click.Choice(["csv"]), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def campaigns_command(slug, question_key, fmt, output):
    """Write the members of consultation SLUG's campaign groups: campaign, reference,
    question (empty for a whole contribution), similarity to the template, added text."""
    consultation = _consultation(slug)
    question_id = ...
    if question_key is not None:
        found = {record.key: record for record in queries.free_text_questions(consultation)}
        if question_key not in found:
            keys = ", ".join(sorted(found)) or "none"
            raise click.ClickException(
                f"'{question_key}' is not a free-text question of {slug} (they are: {keys})."
            )
        question_id = found[question_key].id
    with output.open("w", encoding="utf-8", newline="") as out:
        rows = write_csv(consultation, out, question_id)
    click.echo(f"{rows:,} rows written to {output}")


@campaigns_cli.command("regroup")
@click.argument("slug", required=False)
def regroup_command(slug):
    """Group the free-text answers of consultation SLUG (or of every one) again, here."""
    for consultation in [_consultation(slug)] if slug else all_consultations():
        started = time.perf_counter()
        found = regroup(consultation)
        db.session.commit()
        click.echo(
            f"{consultation.slug}: {found['groups']:,} groups, {found['members']:,} answers "
            f"in them ({time.perf_counter() - started:.1f} s)"
        )
