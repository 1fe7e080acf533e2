"""``flask`` commands. They call the same operations as the web pages."""

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from . import clock
from .consultations.operations import demo_window, load_definition
from .extensions import db
from .questionnaires.loader import QuestionnaireError, definition_files, parse_file
from .responses.drafts import purge_drafts

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
    try:
        for path, definition in definitions:
            window = None
            if demo:
                closed = definition["slug"] in DEMO_CLOSED
                window = demo_window(definition, clock.today_brussels(), closed=closed)
            change = load_definition(definition, window=window, source=path)
            click.echo(f"{definition['slug']}: {change}")
    except QuestionnaireError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()


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


def register_cli(app: Flask) -> None:
    app.cli.add_command(consultations_cli)
    app.cli.add_command(drafts_cli)
