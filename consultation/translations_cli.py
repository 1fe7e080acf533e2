"""``flask translations ...``: the questionnaire side of the translation workflow."""

from pathlib import Path

import click
from flask.cli import AppGroup

from .catalogues import TRANSLATIONS_DIR

translations_cli = AppGroup("translations", help="Translation catalogues.")


@translations_cli.command("extract-questionnaires")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=TRANSLATIONS_DIR / "questionnaires.pot",
    show_default=True,
)
def extract_questionnaires(output):
    """Write the English texts of the shipped questionnaires as a gettext template."""
    from .questionnaires.extract import write_template
    from .questionnaires.loader import QuestionnaireError

    try:
        count = write_template(output)
    except QuestionnaireError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{output}: {count} texts")
