"""Asking the workers, soon after a commit, for the work it left them; never waiting for it.

Some data derived from responses is made by the workers: the ready export lines
(``reports.ready_lines``) and the answer tallies (``reports.tally_outbox``). What is left
to do is recorded in the contribution's own transaction, and the workers look for it
every minute whatever happens; a nudge only makes it sooner. A transaction notes what it
leaves (``Nudge.later``); once it commits, the workers are asked at most once every few
seconds per process and kind (the setting named by ``Nudge.setting``; 0: never), from a
thread. A commit within the interval after an ask is not forgotten: one ask waits for the
end of the interval, for everything noted by then, so the last contributions of a busy
minute are asked for too, at most the interval after them. So a request pays a lock and a
clock compare, never a round trip to the queue, and a queue that does not answer costs a
warning, never a contribution.
"""

import logging
import threading
import time

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

_NUDGES: list["Nudge"] = []


class Nudge:
    """One kind of work asked of the workers: queue task ``task`` (a ``JobQueue`` attribute),
    with the smallest response id noted since the last request, if ids are noted."""

    def __init__(self, what: str, setting: str, task: str):
        self.what = what  #: what the log calls the work ("export lines")
        self.setting = setting
        self.task = task
        self.key = f"nudge_{task}"  #: Session.info key of the ids noted in a transaction
        self.lock = threading.Lock()
        self.sent_at = None
        self.from_id = None
        self.thread = None  #: the last one started (tests wait for it)
        self.timer = None  #: the ask waiting for the end of the interval, if one is
        _NUDGES.append(self)

    def later(self, session, ids=()) -> None:
        """Ask the workers once ``session`` commits (nothing if it rolls back)."""
        session.info.setdefault(self.key, set()).update(ids)

    def add(self, app, from_id: int | None = None) -> None:
        """Ask the workers now, unless this process asked less than the interval ago."""
        interval = app.config.get(self.setting) or 0
        if interval <= 0:
            return
        with self.lock:
            if from_id is not None:
                self.from_id = from_id if self.from_id is None else min(self.from_id, from_id)
            now = time.monotonic()
            if self.sent_at is not None and now - self.sent_at < interval:
                if self.timer is None:
                    self._ask_later(app, interval - (now - self.sent_at))
                return
            self.sent_at, from_id, self.from_id = now, self.from_id, None
        self.thread = threading.Thread(target=self._send, args=(app, from_id), daemon=True)
        try:
            self.thread.start()
        except RuntimeError as error:  # no thread to be had
            self._missed(error)

    def _ask_later(self, app, seconds: float) -> None:
        """One ask in ``seconds``, for what is noted by then (with the lock held)."""
        self.timer = threading.Timer(seconds, self._ask_now, args=(app,))
        self.timer.daemon = True
        try:
            self.timer.start()
        except RuntimeError as error:  # no thread to be had
            self.timer = None
            self._missed(error)

    def _ask_now(self, app) -> None:
        with self.lock:
            self.timer = None
            self.sent_at, from_id, self.from_id = time.monotonic(), self.from_id, None
        self._send(app, from_id)

    def cancel(self) -> None:
        """Forget the ask waiting for the end of the interval (tests, between settings)."""
        with self.lock:
            if self.timer is not None:
                self.timer.cancel()
                self.timer = None

    def _send(self, app, from_id) -> None:
        from .queue import QueueUnavailable, queue_of

        try:
            queue_of(app).ask(self.task, *(() if from_id is None else (from_id,)))
        except QueueUnavailable as error:
            self._missed(error)

    def _missed(self, error) -> None:
        log.warning("%s not asked for (%s); the minutely run makes them", self.what, error)


@event.listens_for(Session, "after_commit")
def _ask_committed(session):
    for nudge in _NUDGES:
        noted = session.info.pop(nudge.key, None)
        if noted is not None:
            nudge.add(current_app._get_current_object(), min(noted, default=None))


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session):
    for nudge in _NUDGES:
        session.info.pop(nudge.key, None)
