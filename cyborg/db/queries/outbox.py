"""The outbox of Nova events (table ``nova_events``).

:func:`add` runs inside the caller's writer transaction (the one that
moves the ARQs), so an event row commits exactly when its state change
does; after that commit every function registered with
:func:`subscribe` is called (in this process), which wakes the sender
without waiting for its next poll.

The sender's side is short writer transactions, each a conditional
statement, run like the bind's with ``binding.run`` (deadlocks retried,
writers of one process serialised on SQLite):

* :func:`claim` takes up to ``limit`` due rows (``next_attempt_at <=
  now``, unclaimed or with an expired claim) with one ``UPDATE ... WHERE``
  that re-checks both conditions, under a fresh ``claim_id``, then reads
  back the rows that carry it: of two conductors claiming together, each
  row goes to exactly one.
* :func:`delete` (delivered, or given up) and :func:`retry_later` (back
  off) touch only rows still under the caller's ``claim_id``: a sender
  whose claim expired and was taken over changes nothing.

MySQL's DATETIME has no fraction and rounds: a new row's due time is
floored to the second (due at once), claim expiries and retry times are
rounded up (never early).
"""
import datetime
import logging
import threading
import uuid

from oslo_utils import timeutils
import sqlalchemy as sa

from cyborg.db import models
from cyborg.db import session

LOG = logging.getLogger(__name__)

Event = models.NovaEvent

_listeners = set()
_listeners_lock = threading.Lock()
_SESSION_FLAG = 'cyborg.outbox.added'


def subscribe(func):
    """Call ``func()`` after every commit that added events."""
    with _listeners_lock:
        _listeners.add(func)


def unsubscribe(func):
    with _listeners_lock:
        _listeners.discard(func)


def _committed(db_session):
    db_session.info.pop(_SESSION_FLAG, None)
    with _listeners_lock:
        funcs = list(_listeners)
    for func in funcs:
        try:
            func()
        except Exception:  # noqa: BLE001 - a wake-up must not fail a commit
            LOG.exception('Outbox listener failed')


def _forget(db_session, *args):
    db_session.info.pop(_SESSION_FLAG, None)


def _floor(when):
    return when.replace(microsecond=0)


def _ceil(when):
    if when.microsecond:
        return when.replace(microsecond=0) + datetime.timedelta(seconds=1)
    return when


def add(context, events):
    """Write ``events`` (``{'server_uuid', 'tag', 'status'}`` dicts) in
    the current writer transaction of ``context``."""
    if not events:
        return
    db_session = context.session
    now = _floor(timeutils.utcnow())
    db_session.execute(sa.insert(Event), [
        {'server_uuid': e['server_uuid'], 'arq_uuid': e['tag'],
         'status': e['status'], 'attempts': 0, 'next_attempt_at': now,
         'created_at': now} for e in events])
    if not db_session.info.get(_SESSION_FLAG):
        db_session.info[_SESSION_FLAG] = True
        sa.event.listen(db_session, 'after_commit', _committed, once=True)
        sa.event.listen(db_session, 'after_rollback', _forget, once=True)


def claim(context, owner, lease, limit):
    """Claim up to ``limit`` due rows for ``lease`` seconds; returns
    ``(claim_id, [row, ...])`` (rows oldest first; ``[]`` when none is
    due)."""
    now = timeutils.utcnow()
    free = sa.or_(Event.claim_expires_at.is_(None),
                  Event.claim_expires_at < now)
    due = Event.next_attempt_at <= now
    ids = list(context.session.scalars(
        sa.select(Event.id).where(due, free).order_by(Event.id)
        .limit(limit)))
    claim_id = str(uuid.uuid4())
    if not ids:
        return claim_id, []
    expires = _ceil(now + datetime.timedelta(seconds=lease))
    context.session.execute(
        sa.update(Event).where(Event.id.in_(ids), due, free)
        .values(claim_id=claim_id, claimed_by=owner[:255],
                claim_expires_at=expires)
        .execution_options(synchronize_session=False))
    rows = context.session.execute(
        sa.select(Event.id, Event.server_uuid, Event.arq_uuid, Event.status,
                  Event.attempts, Event.created_at)
        .where(Event.claim_id == claim_id).order_by(Event.id)).all()
    return claim_id, rows


def delete(context, claim_id, ids=None):
    """Delete the rows of ``claim_id`` (only ``ids`` when given); returns
    how many went."""
    query = sa.delete(Event).where(Event.claim_id == claim_id)
    if ids is not None:
        if not ids:
            return 0
        query = query.where(Event.id.in_(ids))
    return context.session.execute(
        query.execution_options(synchronize_session=False)).rowcount


def retry_later(context, claim_id, delays, error):
    """Release rows of ``claim_id`` for another attempt: ``delays`` maps
    row id -> seconds until it is due again. Returns how many moved."""
    now = timeutils.utcnow()
    by_delay = {}
    for row_id, delay in delays.items():
        by_delay.setdefault(delay, []).append(row_id)
    moved = 0
    for delay, ids in by_delay.items():
        moved += context.session.execute(
            sa.update(Event)
            .where(Event.claim_id == claim_id, Event.id.in_(ids))
            .values(attempts=Event.attempts + 1,
                    next_attempt_at=_ceil(
                        now + datetime.timedelta(seconds=delay)),
                    claim_id=None, claimed_by=None, claim_expires_at=None,
                    last_error=(error or '')[:255])
            .execution_options(synchronize_session=False)).rowcount
    return moved


@session.reader
def pending(context):
    """Rows not delivered yet (any state)."""
    return context.session.scalar(
        sa.select(sa.func.count()).select_from(Event))


@session.reader
def list_all(context):
    return list(context.session.scalars(sa.select(Event).order_by(Event.id)))
