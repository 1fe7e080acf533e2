"""``flask`` commands. They call the same operations as the web pages."""

from datetime import date
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from . import clock
from .audit.operations import Actor
from .consultations.operations import (
    close_consultation,
    demo_window,
    extend_consultation,
    load_definition,
    reopen_consultation,
)
from .consultations.queries import all_consultations, consultation_by_slug
from .errors import OperationRefused
from .extensions import db
from .formatting import brussels_datetime, long_date
from .questionnaires.loader import QuestionnaireError, definition_files, parse_file
from .responses.drafts import purge_drafts
from .responses.kept_files import purge_kept_files

consultations_cli = AppGroup("consultations", help="Load and manage consultations.")

#: In the demo, this consultation is shown as recently closed; the others are open.
DEMO_CLOSED = {"data-union-strategy"}


@consultations_cli.command("load")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--demo",
    is_flag=True,
    help="Move the windows around today: two consultations open, one recently closed.",
)
def load_command(files, demo):
    """Load questionnaire definitions (default: the shipped ones). Safe to run again."""
    paths = list(files) or definition_files()
    try:
        definitions = [(path, parse_file(path)) for path in paths]
    except QuestionnaireError as error:
        raise click.ClickException(str(error)) from None
    who = Actor.command_line().label
    try:
        for path, definition in definitions:
            window = None
            if demo:
                closed = definition["slug"] in DEMO_CLOSED
                window = demo_window(definition, clock.today_brussels(), closed=closed)
            change = load_definition(definition, window=window, source=path, actor_label=who)
            click.echo(f"{definition['slug']}: {change}")
    except QuestionnaireError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()


def _consultation(slug):
    consultation = consultation_by_slug(slug)
    if consultation is None:
        slugs = ", ".join(c.slug for c in all_consultations())
        raise click.ClickException(f"No consultation '{slug}'. Known: {slugs}.")
    return consultation


def _apply(operation):
    try:
        operation()
    except OperationRefused as refusal:
        db.session.rollback()
        raise click.ClickException(str(refusal)) from None
    db.session.commit()


def _midnight(consultation) -> str:
    """When a consultation closes, as people say it: midnight at the end of its last day."""
    return f"midnight at the end of {long_date(consultation.closing_date)}, Brussels time"


@consultations_cli.command("list")
def list_command():
    """List consultations with their state and window (Brussels time)."""
    for c in all_consultations():
        click.echo(
            f"{c.slug}\t{c.state.value}\t{brussels_datetime(c.opens_at)} to the end of "
            f"{long_date(c.closing_date)}"
            + (f"\tclosed by hand {brussels_datetime(c.closed_at)}" if c.closed_at else "")
        )


@consultations_cli.command("close")
@click.argument("slug")
@click.option("--reason", default=None, help="Recorded in the audit log.")
def close_command(slug, reason):
    """Close a consultation now."""
    consultation = _consultation(slug)
    _apply(lambda: close_consultation(consultation, Actor.command_line(), reason))
    click.echo(f"{slug} closed at {brussels_datetime(consultation.closed_at)} Brussels time.")


@consultations_cli.command("reopen")
@click.argument("slug")
@click.option("--reason", default=None, help="Recorded in the audit log.")
def reopen_command(slug, reason):
    """Reopen a consultation closed by hand."""
    consultation = _consultation(slug)
    _apply(lambda: reopen_consultation(consultation, Actor.command_line(), reason))
    click.echo(f"{slug} is open until {_midnight(consultation)}.")


@consultations_cli.command("extend")
@click.argument("slug")
@click.argument("closing_date", metavar="YYYY-MM-DD")
@click.option("--reason", default=None, help="Recorded in the audit log.")
def extend_command(slug, closing_date, reason):
    """Move the closing date; it ends at midnight at the end of that day, Brussels time."""
    try:
        new_date = date.fromisoformat(closing_date)
    except ValueError:
        raise click.BadParameter("use the form YYYY-MM-DD, e.g. 2025-07-15") from None
    consultation = _consultation(slug)
    _apply(lambda: extend_consultation(consultation, new_date, Actor.command_line(), reason))
    click.echo(f"{slug} now closes at {_midnight(consultation)}.")


backup_cli = AppGroup("backup", help="Back up and restore a SQLite deployment.")


@backup_cli.command("create")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Default: instance/backups/backup-<UTC time>.tar.gz",
)
def backup_create_command(output):
    """Copy the database (safely, while it runs) and the uploads into one archive."""
    from flask import current_app

    from .backup import create_backup

    if output is None:
        stamp = clock.now_utc().strftime("%Y%m%dT%H%M%SZ")
        output = Path(current_app.instance_path) / "backups" / f"backup-{stamp}.tar.gz"
    try:
        create_backup(output)
    except OperationRefused as refusal:
        raise click.ClickException(str(refusal)) from None
    click.echo(f"Backup written to {output}")


@backup_cli.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def backup_restore_command(archive, yes):
    """Replace the database and uploads with those of a backup."""
    from .backup import restore_backup

    if not yes:
        click.confirm("This replaces every response in the database. Continue?", abort=True)
    try:
        restore_backup(archive)
    except OperationRefused as refusal:
        raise click.ClickException(str(refusal)) from None
    click.echo(f"Restored from {archive}")


@consultations_cli.command("check")
def check_command():
    """Run the start-up checks (schema migrated, secret key, upload folder writable)."""
    from flask import current_app

    from .startup import check_ready

    problems = check_ready(current_app)
    if problems:
        raise click.ClickException("Not ready:\n- " + "\n- ".join(problems))
    click.echo("Ready.")


drafts_cli = AppGroup("drafts", help="Manage the drafts people saved.")


@drafts_cli.command("purge")
@click.option(
    "--days",
    type=click.IntRange(min=0),
    default=None,
    help="Days after closing to keep drafts (default: DRAFT_RETENTION_DAYS, 30).",
)
def purge_command(days):
    """Delete the drafts of consultations closed longer ago than the retention time."""
    if days is None:
        days = current_app.config["DRAFT_RETENTION_DAYS"]
    count = purge_drafts(days, current_app.config["UPLOAD_FOLDER"])
    db.session.commit()
    click.echo(
        f"{count} draft{'' if count == 1 else 's'} deleted (closed more than {days} days ago)"
    )


uploads_cli = AppGroup("uploads", help="Manage files people chose in the questionnaire.")


@uploads_cli.command("purge")
@click.option(
    "--hours",
    type=click.IntRange(min=0),
    default=None,
    help="Hours to keep a file chosen in a form never sent (default: KEPT_FILE_HOURS, 24).",
)
def purge_uploads_command(hours):
    """Delete the files kept for questionnaires that were never sent (run it daily)."""
    if hours is None:
        hours = current_app.config["KEPT_FILE_HOURS"]
    count = purge_kept_files(current_app.config["UPLOAD_FOLDER"], hours)
    db.session.commit()
    click.echo(
        f"{count} kept file{'' if count == 1 else 's'} deleted "
        f"(chosen more than {hours} hours ago in forms never sent)"
    )


def register_cli(app: Flask) -> None:
    from .auth.cli import users_cli
    from .campaigns.cli import campaigns_cli  # also adds ``flask reports campaigns``
    from .jobs.cli import jobs_cli, worker_command
    from .publishing.cli import publishing_cli
    from .publishing.cli import register as register_publishing_dev
    from .reports.cli import dev_cli, reports_cli
    from .translations_cli import translations_cli

    register_publishing_dev(dev_cli)

    app.cli.add_command(consultations_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(drafts_cli)
    app.cli.add_command(uploads_cli)
    app.cli.add_command(reports_cli)
    app.cli.add_command(dev_cli)
    from .outcomes.cli import outcomes_cli

    app.cli.add_command(outcomes_cli)
    app.cli.add_command(publishing_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(campaigns_cli)
    app.cli.add_command(worker_command)
    app.cli.add_command(translations_cli)
