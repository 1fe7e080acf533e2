"""``flask publishing ...``: the publication setting and the moderation state from the command line,
and ``flask dev moderate``: a moderated demo."""

import click
from flask.cli import AppGroup
from sqlalchemy import exists, select

from ..audit.operations import Actor
from ..consultations.queries import all_consultations, consultation_by_slug
from ..errors import OperationRefused
from ..extensions import db
from ..responses.models import Response
from . import operations, queue
from .models import MODES, ItemReview

publishing_cli = AppGroup("publishing", help="Publication of contributions and their moderation.")


def _consultation(slug):
    found = consultation_by_slug(slug)
    if found is None:
        raise click.ClickException(f"No consultation has the slug {slug}.")
    return found


@publishing_cli.command("settle")
@click.argument("slug", required=False)
def settle_command(slug):
    """Approve the contributions that have nothing to review (after an upgrade); safe to rerun."""
    for consultation in [_consultation(slug)] if slug else all_consultations():
        operations.settle(consultation)
        counts = queue.state_counts(consultation)
        db.session.commit()
        click.echo(
            f"{consultation.slug}: {counts.get('pending', 0):,} waiting, "
            f"{counts.get('approved', 0):,} approved, {counts.get('withheld', 0):,} withheld"
        )


@publishing_cli.command("mode")
@click.argument("slug")
@click.argument("mode", type=click.Choice(MODES))
def mode_command(slug, mode):
    """Set when SLUG's moderated contributions are published."""
    try:
        operations.set_publication_mode(_consultation(slug), mode, Actor.command_line())
    except OperationRefused as refusal:
        raise click.ClickException(str(refusal)) from None
    db.session.commit()
    click.echo(f"{slug}: contributions are published {mode.replace('_', ' ')}.")


#: In the demo: contributions left waiting, so the queue has something to show.
DEMO_WAITING = 25
DEMO_REDACTED = 3


def moderate_demo(consultation, actor) -> dict:
    """Moderate a demo consultation as moderators would have: a few redactions, one
    contribution withheld, the newest left waiting, the rest approved. Returns counts."""
    waiting = db.session.scalars(queue.queue_query(consultation).with_only_columns(Response.id))
    ids = list(waiting)
    keep, rest = ids[-DEMO_WAITING:], ids[:-DEMO_WAITING]
    redacted, withheld = [], None
    for response_id in rest:
        response = db.session.get(Response, response_id)
        answers, _uploads = operations.reviewable_parts(response)
        texts = [a for a in answers if a.text_value and len(a.text_value.split()) > 12]
        if withheld is None and texts:
            operations.withhold(response, actor, "offensive", "Demo: insults another respondent")
            withheld = response.id
            continue
        if len(redacted) < DEMO_REDACTED and texts:
            words = " ".join(texts[-1].text_value.split()[3:6])
            if texts[-1].text_value.count(words) == 1:
                operations.redact(
                    response,
                    actor,
                    texts[-1].id,
                    words,
                    "third_party",
                    note="Demo: names a neighbour",
                )
                operations.approve(response, actor)
                redacted.append(response.id)
        if len(redacted) >= DEMO_REDACTED and withheld is not None:
            break
    others = [i for i in rest if i not in redacted and i != withheld]
    approved = operations.approve_waiting(consultation, actor, others) if others else 0
    return {
        "redacted": len(redacted),
        "withheld": 1 if withheld else 0,
        "parts": approved,
        "waiting": len(keep),
    }


def register(dev_cli) -> None:
    """Add ``flask dev moderate`` to the development commands."""

    @dev_cli.command("moderate")
    @click.argument("slug")
    @click.option("--if-unmoderated", is_flag=True, help="Do nothing if anything is moderated.")
    def moderate_command(slug, if_unmoderated):
        """Moderate SLUG's contributions as a demo: redactions, one withheld, some waiting."""
        consultation = _consultation(slug)
        done = db.session.scalar(
            select(
                exists().where(
                    ItemReview.response_id == Response.id,
                    Response.consultation_id == consultation.id,
                )
            )
        )
        if if_unmoderated and done:
            click.echo(f"{slug} is moderated already; nothing changed.")
            return
        counts = moderate_demo(consultation, Actor.command_line())
        db.session.commit()
        click.echo(
            f"{slug}: {counts['redacted']} contributions with words removed, "
            f"{counts['withheld']} withheld, {counts['parts']:,} texts and files approved, "
            f"{counts['waiting']} left waiting for review."
        )
