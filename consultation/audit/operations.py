"""Writing audit records. Every operation that changes what an administrator controls calls this."""

import getpass
import socket
from dataclasses import dataclass

from ..extensions import db
from .models import AuditRecord


@dataclass(frozen=True)
class Actor:
    """Who acts: a signed-in user, or someone at the command line."""

    label: str
    user_id: int | None = None

    @classmethod
    def of(cls, user) -> "Actor":
        return cls(label=user.email, user_id=user.id)

    @classmethod
    def command_line(cls) -> "Actor":
        try:
            who = getpass.getuser()
        except (KeyError, OSError):
            who = "unknown"
        return cls(label=f"command line ({who}@{socket.gethostname()})")


@dataclass(frozen=True)
class Target:
    """What a record is about when it has no row of its own (an e-mail tried at sign-in)."""

    type: str
    id: str
    label: str

    def audit_ref(self):
        return (self.type, self.id, self.label)


def record(actor: Actor, action: str, target, *, before=None, after=None, reason=None):
    """Add one audit record for ``action`` on ``target`` (anything with ``audit_ref()``)."""
    target_type, target_id, target_label = target.audit_ref()
    entry = AuditRecord(
        user_id=actor.user_id,
        actor=actor.label,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        target_label=target_label[:255],
        before=before,
        after=after,
        reason=reason or None,
    )
    db.session.add(entry)
    return entry
