"""Rows of the conductor cluster: ``conductors`` and ``periodic_tasks``.

Every write is one short transaction with a conditional UPDATE, so that
two conductors racing for the same row never both win: registering a
host name (:func:`claim`), heartbeating (:func:`heartbeat`, only while the
row is still ours) and claiming a periodic task's cycle
(:func:`claim_cycle`). Times are naive UTC from the conductor's clock
(as ``created_at``); conductors are expected to keep their clocks in sync
(NTP), as Nova's services are.
"""
import datetime

from oslo_db import exception as db_exc
from oslo_utils import timeutils
import sqlalchemy as sa

from cyborg.db import models
from cyborg.db import session

Conductor = models.Conductor
Task = models.PeriodicTask


def _cutoff(timeout):
    return timeutils.utcnow() - datetime.timedelta(seconds=timeout)


def is_alive(row, timeout):
    """A row is a live member: online and heartbeat within ``timeout``."""
    return bool(row.online) and row.heartbeat_at >= _cutoff(timeout)


@session.reader
def get(context, hostname):
    return context.session.scalars(
        sa.select(Conductor).where(Conductor.hostname == hostname)).first()


@session.reader
def list_all(context):
    return list(context.session.scalars(
        sa.select(Conductor).order_by(Conductor.hostname)))


def claim(context, hostname, instance, machine, pid, expected=None):
    """Make this process (``instance``) the holder of ``hostname``.

    ``expected`` is ``None`` for a host name never seen (INSERT), else the
    ``(instance, heartbeat_at)`` of the row as read: the row is taken
    over only if nobody touched it since. Returns True when claimed.
    """
    values = dict(instance=instance, machine=machine, pid=pid)
    if expected is None:
        try:
            _insert(context, hostname, values)
        except db_exc.DBDuplicateEntry:
            return False
        return True
    return _take_over(context, hostname, values, *expected)


@session.retry_on_busy
@session.writer
def _insert(context, hostname, values):
    context.session.add(Conductor(hostname=hostname, online=True,
                                  heartbeat_at=timeutils.utcnow(), **values))
    context.session.flush()


@session.retry_on_busy
@session.writer
def _take_over(context, hostname, values, old_instance, old_heartbeat):
    done = context.session.execute(
        sa.update(Conductor)
        .where(Conductor.hostname == hostname,
               Conductor.instance == old_instance,
               Conductor.heartbeat_at == old_heartbeat)
        .values(online=True, heartbeat_at=timeutils.utcnow(), **values)
        .execution_options(synchronize_session=False))
    return done.rowcount == 1


@session.retry_on_busy
@session.writer
def heartbeat(context, hostname, instance):
    """Refresh our heartbeat; False when another process took the name."""
    done = context.session.execute(
        sa.update(Conductor)
        .where(Conductor.hostname == hostname,
               Conductor.instance == instance)
        .values(heartbeat_at=timeutils.utcnow(), online=True)
        .execution_options(synchronize_session=False))
    return done.rowcount == 1


@session.retry_on_busy
@session.writer
def sign_off(context, hostname, instance):
    """Mark our row offline (a clean stop): the name is free at once."""
    context.session.execute(
        sa.update(Conductor)
        .where(Conductor.hostname == hostname,
               Conductor.instance == instance)
        .values(online=False)
        .execution_options(synchronize_session=False))


@session.reader
def dead_hosts(context, timeout):
    """Host names of the members that are not alive (see
    :func:`is_alive`), i.e. whose unfinished work may be taken over."""
    return list(context.session.scalars(
        sa.select(Conductor.hostname)
        .where(sa.or_(Conductor.online == sa.false(),
                      Conductor.heartbeat_at < _cutoff(timeout)))
        .order_by(Conductor.hostname)))


@session.reader
def alive_hosts(context, timeout):
    return list(context.session.scalars(
        sa.select(Conductor.hostname)
        .where(Conductor.online == sa.true(),
               Conductor.heartbeat_at >= _cutoff(timeout))
        .order_by(Conductor.hostname)))


# -- periodic tasks -----------------------------------------------------

def _ceil_second(when):
    if when.microsecond:
        when = when.replace(microsecond=0) + datetime.timedelta(seconds=1)
    return when


def ensure_task(context, name):
    """Create the row of task ``name`` (due now) unless it exists."""
    if task(context, name) is not None:
        return
    try:
        _insert_task(context, name)
    except db_exc.DBDuplicateEntry:
        pass        # another conductor created it first


@session.retry_on_busy
@session.writer
def _insert_task(context, name):
    context.session.add(Task(name=name, next_run_at=timeutils.utcnow(),
                             runs=0))
    context.session.flush()


@session.retry_on_busy
@session.writer
def claim_cycle(context, name, interval, hostname):
    """Take this cycle of task ``name`` when it is due; True if taken.

    Due means ``next_run_at <= now``. The winner moves ``next_run_at`` to
    ``now + interval`` in the same statement, so the other conductors of
    this cycle find it not due. ``interval`` is shortened by a tenth (at
    most 1 s) so that a timer that drifts a little still hits the next
    cycle. The row must exist (:func:`ensure_task`). On MySQL
    ``next_run_at`` is rounded up to a whole second: its DATETIME drops
    the fraction, and rounding down would make the next cycle due early.
    """
    now = timeutils.utcnow()
    slack = min(interval / 10.0, 1.0)
    nxt = now + datetime.timedelta(seconds=interval - slack)
    if context.session.get_bind().dialect.name in ('mysql', 'mariadb'):
        nxt = _ceil_second(nxt)
    done = context.session.execute(
        sa.update(Task)
        .where(Task.name == name, Task.next_run_at <= now)
        .values(next_run_at=nxt, last_host=hostname, runs=Task.runs + 1)
        .execution_options(synchronize_session=False))
    return done.rowcount == 1


@session.reader
def task(context, name):
    return context.session.scalars(
        sa.select(Task).where(Task.name == name)).first()
