"""The privacy statement, the accessibility statement and the legal notice, and the favicon.

The statements are long legal texts, written (and reviewed) whole in each language:
one template per page and language, ``templates/pages/<page>.<language>.html``,
English when a language has none. What a deployment changes (who runs the site,
how to reach them, the supervisory and enforcement bodies) comes from its settings.
"""

from datetime import date

from flask import Blueprint, current_app, redirect, render_template, url_for

from ..consultations.queries import all_consultations
from ..formatting import current_locale
from ..questionnaires.text import tr

bp = Blueprint("pages", __name__)

#: The consent question (About-you block) whose label names the privacy statement.
PRIVACY_CONSENT = "privacy_consent"


def _statement(name, **context):
    """The page in the reader's language; else the English one, marked as English (``lang``)
    with a line saying it is not translated yet."""
    locale = current_locale()
    names = [f"pages/{name}.{locale}.html", f"pages/{name}.en.html"]
    template = current_app.jinja_env.select_template(names)
    in_english = locale != "en" and template.name == names[1]
    return render_template(template, content_lang="en" if in_english else None, **context)


@bp.get("/privacy")
def privacy():
    """Who processes which personal data, why, for how long, and the person's rights."""
    return _statement("privacy", consultations=all_consultations(drafts=False))


@bp.get("/accessibility")
def accessibility():
    """How accessible the site is, how that was checked, and how to report a problem."""
    reviewed = date.fromisoformat(current_app.config["ACCESSIBILITY_REVIEWED"])
    return _statement("accessibility", reviewed=reviewed)


@bp.get("/legal-notice")
def legal_notice():
    """Who publishes the site, the reuse of its content, and what it is not liable for."""
    return _statement("legal_notice")


@bp.get("/favicon.ico")
def favicon():
    """Browsers that ask for the old address get the SVG icon."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@bp.app_context_processor
def site_settings():
    """The deployment's name and contacts, in the reader's language, for every page."""
    config, locale = current_app.config, current_locale()
    return {
        "site": {
            "issuing_body": tr(config["ISSUING_BODY"], locale),
            "contact_email": config["CONTACT_EMAIL"],
            "contact_address": tr(config["CONTACT_ADDRESS"], locale),
            "data_protection_email": config["DATA_PROTECTION_EMAIL"],
            "data_protection_law": tr(config["DATA_PROTECTION_LAW"], locale),
            "supervisory_authority": tr(config["SUPERVISORY_AUTHORITY"], locale),
            "supervisory_authority_url": config["SUPERVISORY_AUTHORITY_URL"],
            "enforcement_body": tr(config["ACCESSIBILITY_ENFORCEMENT_BODY"], locale),
            "enforcement_url": config["ACCESSIBILITY_ENFORCEMENT_URL"],
            "reply_days": config["FEEDBACK_REPLY_DAYS"],
            "kept_file_hours": config["KEPT_FILE_HOURS"],
            "form_token_hours": config["QUESTIONNAIRE_TOKEN_HOURS"],
            "draft_retention_days": config["DRAFT_RETENTION_DAYS"],
        },
        "privacy_consent_key": PRIVACY_CONSENT,
    }
