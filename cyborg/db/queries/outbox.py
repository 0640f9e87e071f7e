"""The outbox of Nova events (table ``nova_events``).

:func:`add` runs inside the caller's writer transaction (the one that
moves the ARQs), so an event row commits exactly when its state change
does. When a sender runs in this process (it registered with
:func:`subscribe`), the rows are written already *claimed* by it (a new
``claim_id``, its host, a lease) and, once the transaction commits, are
handed to it in memory: it posts them at once, with no poll and no
claiming transaction in between. A rollback hands nothing. If the
process dies before the rows are delivered, their lease expires and any
conductor sends them.

The other statements are short writer transactions, each conditional,
run like the bind's with ``binding.run`` (deadlocks retried, writers of
one process serialised on SQLite):

* :func:`claim` takes up to ``limit`` due rows (``next_attempt_at <=
  now``, unclaimed or with an expired claim) with one ``UPDATE ... WHERE``
  that re-checks both conditions, under a fresh ``claim_id``, then reads
  back the rows that carry it: of two conductors claiming together, each
  row goes to exactly one.
* :func:`settle` deletes what was delivered (or given up) and releases
  what must be retried (``attempts + 1``, ``next_attempt_at`` pushed
  back); :func:`release` gives rows back untouched (a clean stop). Each
  touches only rows still under the caller's ``claim_id``: a sender
  whose claim expired and was taken over changes nothing.

A row is named by ``(claim_id, arq_uuid)``: one transaction resolves an
ARQ once, and Nova answers per tag.

MySQL's DATETIME has no fraction and rounds: due times of new rows are
floored to the second (due at once), lease expiries and retry times are
rounded up (never early).
"""
import collections
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

# What a sender holds of a row, whether claimed or handed over.
Row = collections.namedtuple(
    'Row', 'server_uuid arq_uuid status attempts created_at')

_receivers = []
_receivers_lock = threading.Lock()
_SESSION_KEY = 'cyborg.outbox.handoff'


def subscribe(receiver):
    """Hand the events committed in this process to ``receiver``: an
    object with ``owner`` (host), ``lease`` (seconds) and
    ``handoff(claim_id, rows)``, called after each commit."""
    with _receivers_lock:
        if receiver not in _receivers:
            _receivers.append(receiver)


def unsubscribe(receiver):
    with _receivers_lock:
        if receiver in _receivers:
            _receivers.remove(receiver)


def _receiver():
    with _receivers_lock:
        return _receivers[0] if _receivers else None


def _committed(db_session):
    for receiver, claim_id, rows in db_session.info.pop(_SESSION_KEY, ()):
        try:
            receiver.handoff(claim_id, rows)
        except Exception:  # noqa: BLE001 - the rows stay in the table
            LOG.exception('Could not hand over Nova events %s',
                          [r.arq_uuid for r in rows])


def _forget(db_session, *args):
    db_session.info.pop(_SESSION_KEY, None)


def _floor(when):
    return when.replace(microsecond=0)


def _ceil(when):
    if when.microsecond:
        return when.replace(microsecond=0) + datetime.timedelta(seconds=1)
    return when


def _after(now, seconds):
    return _ceil(now + datetime.timedelta(seconds=seconds))


def add(context, events):
    """Write ``events`` (``{'server_uuid', 'tag', 'status'}`` dicts) in
    the current writer transaction of ``context``; claimed by, and after
    the commit handed to, this process's sender if one runs."""
    if not events:
        return
    db_session = context.session
    now = timeutils.utcnow()
    receiver = _receiver()
    claim = {}
    if receiver is not None:
        claim = {'claim_id': str(uuid.uuid4()),
                 'claimed_by': receiver.owner[:255],
                 'claim_expires_at': _after(now, receiver.lease)}
    db_session.execute(sa.insert(Event), [
        dict(claim, server_uuid=e['server_uuid'], arq_uuid=e['tag'],
             status=e['status'], attempts=0, next_attempt_at=_floor(now),
             created_at=now) for e in events])
    if receiver is None:
        return
    rows = [Row(e['server_uuid'], e['tag'], e['status'], 0, now)
            for e in events]
    pending = db_session.info.get(_SESSION_KEY)
    if pending is None:
        pending = db_session.info[_SESSION_KEY] = []
        sa.event.listen(db_session, 'after_commit', _committed, once=True)
        sa.event.listen(db_session, 'after_rollback', _forget, once=True)
    pending.append((receiver, claim['claim_id'], rows))


def claim(context, owner, lease, limit):
    """Claim up to ``limit`` due rows for ``lease`` seconds; returns
    ``(claim_id, [Row, ...])`` (oldest first; ``[]`` when none is
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
    context.session.execute(
        sa.update(Event).where(Event.id.in_(ids), due, free)
        .values(claim_id=claim_id, claimed_by=owner[:255],
                claim_expires_at=_after(now, lease))
        .execution_options(synchronize_session=False))
    rows = context.session.execute(
        sa.select(Event.server_uuid, Event.arq_uuid, Event.status,
                  Event.attempts, Event.created_at)
        .where(Event.claim_id == claim_id).order_by(Event.id)).all()
    return claim_id, [Row(*r) for r in rows]


def settle(context, outcomes):
    """Apply the outcome of posted claims, in one transaction.

    ``outcomes``: ``[(claim_id, done, later, error)]``; ``done`` the tags
    to delete (delivered, or given up), ``later`` ``{tag: seconds}`` to
    retry after a delay, ``error`` why. Returns how many rows were
    deleted.
    """
    now = timeutils.utcnow()
    deleted = 0
    for claim_id, done, later, error in outcomes:
        if done:
            deleted += context.session.execute(
                sa.delete(Event).where(Event.claim_id == claim_id,
                                       Event.arq_uuid.in_(sorted(done)))
                .execution_options(synchronize_session=False)).rowcount
        by_delay = collections.defaultdict(list)
        for tag, delay in (later or {}).items():
            by_delay[delay].append(tag)
        for delay, tags in by_delay.items():
            context.session.execute(
                sa.update(Event)
                .where(Event.claim_id == claim_id, Event.arq_uuid.in_(tags))
                .values(attempts=Event.attempts + 1,
                        next_attempt_at=_after(now, delay),
                        claim_id=None, claimed_by=None,
                        claim_expires_at=None,
                        last_error=(error or '')[:255])
                .execution_options(synchronize_session=False))
    return deleted


def release(context, claim_ids=None, owner=None):
    """Give rows back, due at once: those of ``claim_ids``, or all those
    claimed by ``owner`` (a conductor restarted under its name: the
    previous process is gone). Returns how many."""
    if claim_ids is not None:
        if not claim_ids:
            return 0
        where = Event.claim_id.in_(sorted(claim_ids))
    else:
        where = Event.claimed_by == owner
    return context.session.execute(
        sa.update(Event).where(where)
        .values(claim_id=None, claimed_by=None, claim_expires_at=None)
        .execution_options(synchronize_session=False)).rowcount


@session.reader
def pending(context):
    """Rows not delivered yet (any state)."""
    return context.session.scalar(
        sa.select(sa.func.count()).select_from(Event))
