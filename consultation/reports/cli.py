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


@reports_cli.command("summary")
@click.argument("slug")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--respondent-type", help="Only this type of respondent (its key).")
@click.option("--country", help="Only this country (ISO code, e.g. BE).")
@click.option(
    "--language",
    type=click.Choice(sorted(LANGUAGES)),
    default=DEFAULT_LOCALE,
    show_default=True,
    help="The language the report is written in.",
)
def summary_command(slug, output, respondent_type, country, language):
    """Write the factual summary report of consultation SLUG as a PDF."""
    from . import pdf  # WeasyPrint loads only for the command that needs it

    consultation = _consultation(slug)
    started = time.perf_counter()
    data = pdf.summary_pdf(
        consultation, respondent_type, country and country.upper(), locale=language
    )
    output.write_bytes(data)
    click.echo(f"{output}: {len(data):,} bytes in {time.perf_counter() - started:.1f} s")


@reports_cli.command("export")
@click.argument("slug")
@click.option("--format", "kind", type=click.Choice(["csv", "xlsx"]), default="csv")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--public", is_flag=True, help="Publishable: honours publication choices.")
def export_command(slug, kind, output, public):
    """Write one row per counted response of SLUG to a CSV or XLSX file."""
    consultation = _consultation(slug)
    total = export.export_count(consultation)
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
def prepare_exports_command(slug):
    """Make the ready CSV lines of every response (of SLUG, or of all consultations).

    Responses get them when they are written; run this after changing a
    questionnaire or upgrading from a version without them. Exports are right
    without it, only slower.
    """
    from ..consultations.queries import all_consultations

    items = [_consultation(slug)] if slug else all_consultations()
    for consultation in items:
        started = time.perf_counter()
        made = ready_lines.refresh_all(consultation)
        db.session.commit()
        click.echo(
            f"{consultation.slug}: {made:,} responses in {time.perf_counter() - started:.1f} s"
        )


@reports_cli.command("recount")
@click.argument("slug", required=False)
@click.option(
    "--check", is_flag=True, help="Only say whether the counts are right; change nothing."
)
def recount_command(slug, check):
    """Check the running answer counts of summaries against the answers, and put them right.

    They are kept as responses are written; a difference means the database was
    changed by hand (or a bug). Exits with status 1 if --check finds one.
    """
    from ..consultations.queries import all_consultations

    items = [_consultation(slug)] if slug else all_consultations()
    wrong = 0
    for consultation in items:
        started = time.perf_counter()
        found = len(tallies.differences(consultation))
        wrong += found
        if not check and found:
            tallies.rebuild(consultation)
            db.session.commit()
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
