"""Make the benchmark's database ready for the app: schema, questionnaires, one consultation open.

Run with the server's environment, so it writes where the server will read:

    python -m benchmarks.prepare_app apply-ai 2027-11-23

The same steps as ``flask db upgrade``, ``flask consultations load`` and ``flask
consultations extend SLUG DATE``, through the same operations, in one process instead of
three (each ``flask`` start costs seconds). Prints the consultation's state; fails unless
it is open.
"""

import argparse
import sys
from datetime import date

from flask_migrate import upgrade

from consultation import create_app
from consultation.audit.operations import Actor
from consultation.consultations.models import State
from consultation.consultations.operations import extend_consultation, load_definition
from consultation.consultations.queries import consultation_by_slug
from consultation.extensions import db
from consultation.questionnaires.loader import definition_files, parse_file


def prepare_in(app, slug: str, closing: date, reason: str) -> State:
    """In ``app``: migrate, load every shipped questionnaire, move ``slug``'s closing date to
    ``closing``; return its state."""
    with app.app_context():
        upgrade()
        for path in definition_files():
            load_definition(parse_file(path), source=path)
        db.session.commit()
        consultation = consultation_by_slug(slug)
        if consultation is None:
            raise SystemExit(f"No consultation '{slug}' among the shipped questionnaires.")
        extend_consultation(consultation, closing, Actor.command_line(), reason)
        db.session.commit()
        state = consultation.state
        db.session.remove()
    return state


def prepare(slug: str, closing: date) -> State:
    """``prepare_in`` the app configured by the environment (the server's)."""
    app = create_app()
    state = prepare_in(app, slug, closing, "throughput benchmark")
    with app.app_context():
        db.engine.dispose()
    return state


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("slug")
    parser.add_argument("closing", type=date.fromisoformat, metavar="YYYY-MM-DD")
    arguments = parser.parse_args(argv)
    state = prepare(arguments.slug, arguments.closing)
    print(f"{arguments.slug}: {state.value}")
    if state is not State.OPEN:
        sys.exit(f"{arguments.slug} is {state.value}, not open, after extending it.")


if __name__ == "__main__":
    main()
