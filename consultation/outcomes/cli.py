"""``flask outcomes``: publish an outcome from the command line, and the demo's outcomes."""

from datetime import date

import click
from flask.cli import AppGroup

from ..audit.operations import Actor
from ..consultations.models import State
from ..consultations.queries import consultation_by_slug
from ..extensions import db
from .operations import outcome_of, publish_outcome, save_outcome

outcomes_cli = AppGroup("outcomes", help="The outcome of closed consultations.")

#: What followed each shipped consultation (``/work/shared/FACTS.md``), for the demo.
DEMO = {
    "data-union-strategy": {
        "decision": {
            "decision_title": "European Data Union Strategy, COM(2025) 835",
            "decision_url": "https://commission.europa.eu/strategy-and-policy/priorities-2024-2029",
            "decision_date": date(2025, 11, 19),
            "report_url": None,
        },
        "texts": {
            "en": {
                "we_asked": "We asked how to make more data available for AI, how to simplify "
                "the EU's data rules and how the EU should act on data internationally.",
                "you_said": "Most of you said that **finding and obtaining data** is hard, "
                "that the overlaps between the **Data Act**, the **Data Governance Act** and "
                "the **Open Data Directive** cost time and money, and that data spaces help "
                "when they are easy to join.",
                "we_did": "The Commission adopted the European Data Union Strategy on 19 "
                "November 2025. It:\n\n- opens more data for AI through data labs;\n- "
                "proposes to simplify the data rules;\n- sets out an international data "
                "strategy.",
            },
            "fr": {
                "we_asked": "Nous avons demandé comment rendre davantage de données "
                "disponibles pour l’IA, comment simplifier les règles de l’UE sur les données "
                "et comment l’UE devrait agir à l’international.",
                "you_said": "La plupart d’entre vous ont répondu qu’il est difficile de "
                "**trouver et d’obtenir des données**, que les chevauchements entre les "
                "règles coûtent du temps et de l’argent, et que les espaces de données aident "
                "lorsqu’ils sont faciles à rejoindre.",
                "we_did": "La Commission a adopté la stratégie pour une union européenne des "
                "données le 19 novembre 2025. Elle :\n\n- ouvre davantage de données pour "
                "l’IA grâce à des laboratoires de données ;\n- propose de simplifier les "
                "règles ;\n- définit une stratégie internationale en matière de données.",
            },
            "de": {
                "we_asked": "Wir haben gefragt, wie mehr Daten für KI verfügbar werden, wie "
                "sich die EU-Datenvorschriften vereinfachen lassen und wie die EU "
                "international handeln sollte.",
                "you_said": "Die meisten von Ihnen haben geantwortet, dass es schwer ist, "
                "**Daten zu finden und zu erhalten**, dass Überschneidungen zwischen den "
                "Vorschriften Zeit und Geld kosten und dass Datenräume helfen, wenn der "
                "Beitritt einfach ist.",
                "we_did": "Die Kommission hat die Strategie für eine europäische Datenunion am "
                "19. November 2025 angenommen. Sie:\n\n- öffnet mehr Daten für KI durch "
                "Datenlabore;\n- schlägt vereinfachte Vorschriften vor;\n- legt eine "
                "internationale Datenstrategie fest.",
            },
        },
    },
}


@outcomes_cli.command("demo")
def demo_command():
    """Write and publish the outcome of each closed demo consultation that has none."""
    actor = Actor.command_line()
    for slug, outcome in DEMO.items():
        consultation = consultation_by_slug(slug)
        if consultation is None or consultation.state is not State.CLOSED:
            continue
        if outcome_of(consultation) is not None:
            click.echo(f"{slug}: it has an outcome already; left as it is.")
            continue
        save_outcome(consultation, outcome["decision"], outcome["texts"], actor)
        publish_outcome(consultation, actor)
        db.session.commit()
        click.echo(f"{slug}: outcome published ({outcome['decision']['decision_title']}).")
