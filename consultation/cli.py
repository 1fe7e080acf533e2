"""``flask`` commands. They call the same operations as the web pages."""

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from . import clock
from .consultations.operations import demo_window, load_definition
from .extensions import db
from .questionnaires.loader import QuestionnaireError, definition_files, parse_file

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


def register_cli(app: Flask) -> None:
    from .reports.cli import dev_cli, reports_cli

    app.cli.add_command(consultations_cli)
    app.cli.add_command(reports_cli)
    app.cli.add_command(dev_cli)
