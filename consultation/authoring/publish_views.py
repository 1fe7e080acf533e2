"""Publishing a draft consultation: a route on the admin blueprint, admins only."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..admin.views import bp
from . import drafts
from .forms import PublishForm
from .views import _confirmed_change, _title, admins_only


@bp.post("/consultations/<slug>/publish")
@admins_only
def publish_consultation(slug):
    """Publish a draft (asked twice): listed and answerable from its opening date."""
    return _confirmed_change(
        slug,
        PublishForm,
        drafts.publish_consultation,
        _l("Publish"),
        lambda item: _(
            "“%(title)s” will be listed publicly and can be answered from its opening date.",
            title=_title(item),
        ),
        lambda item: _("Done: “%(title)s” was published.", title=_title(item)),
    )
