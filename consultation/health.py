"""``/healthz`` for load balancers: 200 when the database answers, 503 when it does not.

It also says who shares the rate-limit counters ("servers", "machine" or "process"),
so a deployment counting per process is seen at a glance.
"""

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db
from .limits import sharing

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Whether this process can serve: the database answers a trivial query."""
    limits = sharing(current_app)
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable", rate_limits=limits), 503
    return jsonify(status="ok", database="ok", rate_limits=limits)
