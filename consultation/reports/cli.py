"""``flask reports`` (summary PDF, spreadsheets) and ``flask dev generate`` (demo data)."""

import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..consultations.queries import consultation_by_slug
from ..errors import OperationRefused
from ..extensions import db
from ..i18n import DEFAULT_LOCALE, LANGUAGES
from . import export, generate, ready_lines, tallies

reports_cli = AppGroup("reports", help="Summary reports and spreadsheet exports.")
dev_cli = AppGroup("dev", help="Tools for development and demos.")


def _consultation(slug):
    consultation = consultation_by_slug(slug)
    if consultation is None:
        raise click.ClickException(f"There is no consultation '{slug}'.")
    return consultation


QUEUE_OPTION = click.option(
    "--queue",
    "queued",
    is_flag=True,
    help="Hand the work to the workers (flask worker) and print the job's id, instead of "
    "doing it here.",
)


def _enqueue(kind, consultation, **parameters):
    """Ask the workers for this (or join the same job already under way) and say which job."""
    from ..audit.operations import Actor
    from ..jobs.operations import request_job
    from ..jobs.queue import current_queue

    if not current_queue().reachable():
        raise click.ClickException("The job queue does not answer (is Redis running?).")
    job, joined = request_job(
        kind,
        {"consultation_id": consultation.id, **parameters},
        Actor.command_line(),
        consultation,
        locale="en",
    )
    db.session.commit()
    if joined:
        click.echo(f"{consultation.slug}: the same job {job.id} is already {job.state.value}")
    else:
        click.echo(f"{consultation.slug}: queued as job {job.id} (see `flask jobs list`)")


def _output_or_queue(output, queued):
    if queued and output:
        raise click.UsageError("Give either -o/--output or --queue, not both.")
    if not queued and not output:
        raise click.UsageError("Give -o/--output FILE, or --queue to let a worker do it.")


@reports_cli.command("summary")
@click.argument("slug")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--respondent-type", help="Only this type of respondent (its key).")
@click.option("--country", help="Only this country (ISO code, e.g. BE).")
@click.option(
    "--language",
    type=click.Choice(sorted(LANGUAGES)),
    default=DEFAULT_LOCALE,
    show_default=True,
    help="The language the report is written in.",
)
@QUEUE_OPTION
def summary_command(slug, output, respondent_type, country, language, queued):
    """Write the factual summary report of consultation SLUG as a PDF."""
    _output_or_queue(output, queued)
    consultation = _consultation(slug)
    country = country and country.upper()
    if queued:
        _enqueue(
            "summary",
            consultation,
            respondent_type=respondent_type,
            country=country,
            locale=language,
        )
        return
    from . import pdf  # WeasyPrint loads only for the command that needs it

    started = time.perf_counter()
    with click.progressbar(length=1, label="Writing the summary report") as bar:
        data = pdf.summary_pdf(consultation, respondent_type, country, locale=language)
        output.write_bytes(data)
        bar.update(1)
    click.echo(f"{output}: {len(data):,} bytes in {time.perf_counter() - started:.1f} s")


@reports_cli.command("export")
@click.argument("slug")
@click.option("--format", "kind", type=click.Choice(["csv", "xlsx"]), default="csv")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--public", is_flag=True, help="Publishable: honours publication choices.")
@QUEUE_OPTION
def export_command(slug, kind, output, public, queued):
    """Write one row per counted response of SLUG to a CSV or XLSX file."""
    _output_or_queue(output, queued)
    consultation = _consultation(slug)
    if queued:
        _enqueue("export", consultation, format=kind, variant="public" if public else "personal")
        return
    total = export.export_count(consultation, not public)
    started = time.perf_counter()
    with click.progressbar(length=total, label=f"Exporting {total:,} responses") as bar:
        if kind == "csv":
            with output.open("w", encoding="utf-8", newline="") as out:
                for chunk in export.iter_csv(consultation, not public, progress=bar.update):
                    out.write(chunk)
        else:
            try:
                with output.open("wb") as out:
                    export.write_xlsx(consultation, not public, out, progress=bar.update)
            except OperationRefused as refusal:
                output.unlink(missing_ok=True)
                raise click.ClickException(str(refusal)) from None
    elapsed = time.perf_counter() - started
    click.echo(f"{output}: {total:,} rows in {elapsed:.1f} s ({total / max(elapsed, 1e-6):,.0f}/s)")


@reports_cli.command("prepare-exports")
@click.argument("slug", required=False)
@QUEUE_OPTION
def prepare_exports_command(slug, queued):
    """Make the ready CSV lines of every response (of SLUG, or of all consultations).

    Responses get them when they are written; run this after changing a
    questionnaire or upgrading from a version without them. Exports are right
    without it, only slower.
    """
    from ..consultations.queries import all_consultations

    items = [_consultation(slug)] if slug else all_consultations()
    for consultation in items:
        if queued:
            _enqueue("prepare_exports", consultation)
            continue
        started = time.perf_counter()
        total = generate.response_count(consultation)
        with click.progressbar(length=total, label=f"{consultation.slug}") as bar:
            made = ready_lines.refresh_all(consultation, bar.update, db.session.commit)
        db.session.commit()
        click.echo(
            f"{consultation.slug}: {made:,} responses in {time.perf_counter() - started:.1f} s"
        )


@reports_cli.command("catch-up")
def catch_up_command():
    """Do what the workers do every minute: count the contributions waiting in the tally outbox
    into the summary's tallies, and make the missing ready CSV lines (a site without a worker
    runs this from cron)."""
    counted = tallies.drain()
    made = ready_lines.fill()
    click.echo(f"{counted:,} contributions counted, {made:,} responses' export lines made")


@reports_cli.command("recount")
@click.argument("slug", required=False)
@click.option(
    "--check", is_flag=True, help="Only say whether the counts are right; change nothing."
)
@QUEUE_OPTION
def recount_command(slug, check, queued):
    """Check the running answer counts of summaries against the answers, and put them right.

    They are kept as responses are written; a difference means the database was
    changed by hand (or a bug). Exits with status 1 if --check finds one.
    """
    from ..consultations.queries import all_consultations

    if check and queued:
        raise click.UsageError("--check runs here; leave out --queue.")
    items = [_consultation(slug)] if slug else all_consultations()
    wrong = 0
    for consultation in items:
        if queued:
            _enqueue("recount", consultation)
            continue
        started = time.perf_counter()
        with click.progressbar(length=2, label=f"{consultation.slug}") as bar:
            found = len(tallies.differences(consultation))
            bar.update(1)
            wrong += found
            if not check and found:
                tallies.rebuild(consultation)
                db.session.commit()
            bar.update(1)
        outcome = "right" if not found else f"{found:,} counts differed"
        if found and not check:
            outcome += ", recounted"
        click.echo(f"{consultation.slug}: {outcome} ({time.perf_counter() - started:.1f} s)")
    if check and wrong:
        raise SystemExit(1)


@dev_cli.command("generate")
@click.argument("slug")
@click.option("--responses", "count", type=click.IntRange(min=1), default=1000, show_default=True)
@click.option("--seed", type=int, help="Make the same data again.")
@click.option("--if-empty", is_flag=True, help="Do nothing if the consultation has responses.")
def generate_command(slug, count, seed, if_empty):
    """Fill consultation SLUG with synthetic responses (bulk inserts)."""
    consultation = _consultation(slug)
    if if_empty and generate.response_count(consultation):
        click.echo(f"{slug} already has responses; nothing generated.")
        return
    started = time.perf_counter()
    with click.progressbar(length=count, label=f"Generating {count:,} responses") as bar:
        generate.generate_responses(
            consultation,
            count,
            seed=seed,
            upload_folder=current_app.config["UPLOAD_FOLDER"],
            progress=bar.update,
        )
    db.session.commit()
    elapsed = time.perf_counter() - started
    click.echo(f"{count:,} responses in {elapsed:.1f} s ({count / max(elapsed, 1e-6):,.0f}/s)")
    from ..campaigns.operations import regroup  # the campaigns page and summary, filled now

    regroup(consultation)
    db.session.commit()


# -- themes and codes (consultation/themes) --
from ..themes.cli import find_themes_command, themes_command  # noqa: E402

reports_cli.add_command(themes_command)
reports_cli.add_command(find_themes_command)
# -- end themes and codes --
