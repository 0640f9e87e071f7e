"""Membership: heartbeats, dead members, one live conductor per host name.

In-process tests on SQLite (the queries and the join rules), then real
``cyborg-conductor`` processes on RabbitMQ and MariaDB: a second
conductor started with a live conductor's host name exits non-zero with
a clear message and leaves the first one alone; a conductor SIGKILLed and
started again on the same machine gets its name back at once.
"""
import datetime
import os
import time

from oslo_utils import timeutils
import pytest
import sqlalchemy as sa

from cyborg import context as cyborg_context
from cyborg.conductor.cluster import membership
from cyborg.db import models
from cyborg.db.queries import conductors as conductors_db
from cyborg.tests.fixtures import database
from cyborg.tests.functional.cluster import harness


@pytest.fixture
def db():
    with database.Database() as fixture:
        yield fixture


def _row(db, host):
    with db.session() as s:
        return s.scalars(sa.select(models.Conductor)
                         .where(models.Conductor.hostname == host)).one()


def _age(db, host, seconds, **values):
    with db.session() as s, s.begin():
        s.execute(sa.update(models.Conductor)
                  .where(models.Conductor.hostname == host)
                  .values(heartbeat_at=timeutils.utcnow()
                          - datetime.timedelta(seconds=seconds), **values))


def test_heartbeat_and_dead_members(db):
    ctx = cyborg_context.get_admin_context()
    member = membership.Member('c1', interval=1, timeout=3).join()
    other = membership.Member('c2', interval=1, timeout=3).join()
    try:
        first = _row(db, 'c1').heartbeat_at
        time.sleep(2.2)
        assert member.beats >= 1 and _row(db, 'c1').heartbeat_at > first
        assert conductors_db.alive_hosts(ctx, 3) == ['c1', 'c2']
        other.leave()                            # clean stop: dead at once
        assert conductors_db.dead_hosts(ctx, 3) == ['c2']
        _age(db, 'c1', 10)
        assert conductors_db.dead_hosts(ctx, 3) == ['c1', 'c2']
    finally:
        member.leave()
    assert _row(db, 'c1').online is False


def test_stale_or_stopped_row_is_taken_at_once(db):
    first = membership.Member('c1', interval=1, timeout=3).join()
    first.leave()
    start = time.monotonic()
    second = membership.Member('c1', interval=1, timeout=3).join()
    assert time.monotonic() - start < 1
    assert _row(db, 'c1').instance == second.instance
    second._stop.set()                         # dies without signing off
    _age(db, 'c1', 10, pid=None)
    third = membership.Member('c1', interval=1, timeout=3).join()
    assert _row(db, 'c1').instance == third.instance
    third.leave()


def test_live_row_of_another_machine_refuses(db):
    live = membership.Member('c1', interval=1, timeout=5).join()
    with db.session() as s, s.begin():      # as if it ran elsewhere
        s.execute(sa.update(models.Conductor).values(machine='elsewhere'))
    try:
        start = time.monotonic()
        with pytest.raises(membership.HostInUse) as caught:
            membership.Member('c1', interval=1, timeout=5).join()
        assert time.monotonic() - start < 4
        assert "already running with host name 'c1'" in str(caught.value)
        assert 'machine elsewhere' in str(caught.value)
        assert _row(db, 'c1').instance == live.instance
    finally:
        live.leave()


def test_silent_row_of_another_machine_is_taken_after_watching(db):
    ghost = membership.Member('c1', interval=1, timeout=30).join()
    ghost._stop.set()                      # no more heartbeats, no sign-off
    ghost._thread.join(2)
    with db.session() as s, s.begin():
        s.execute(sa.update(models.Conductor).values(machine='elsewhere'))
    start = time.monotonic()
    new = membership.Member('c1', interval=1, timeout=30).join()
    try:
        assert 2.5 < time.monotonic() - start < 6
        assert _row(db, 'c1').instance == new.instance
        ghost.beat_once()                  # the old process wakes up
        assert ghost.lost
    finally:
        new.leave()


def test_processes_same_host_refused(tmp_path):
    db = harness.server_db('mysql')
    if not harness.rabbit_up():
        db.cleanUp()
        pytest.skip('RabbitMQ is not reachable')
    procs = harness.Processes(tmp_path, db.url_string())
    try:
        first = procs.conductor('first', host='cond-x')
        second = procs.conductor('second', host='cond-x', wait=False)
        assert second.wait(60) != 0
        log = procs.log('second')
        assert "another conductor is already running with host name " \
               "'cond-x'" in log, log
        assert 'process %d' % first.pid in log
        assert 'cyborg-conductor running as' not in log
        assert first.poll() is None
        with procs.session() as s:
            row = s.scalars(sa.select(models.Conductor)).one()
        assert (row.hostname, row.pid, row.online) == ('cond-x',
                                                       first.pid, True)
        # SIGKILLed and started again on this machine: no waiting.
        procs.kill('first')
        start = time.monotonic()
        again = procs.conductor('again', host='cond-x')
        assert time.monotonic() - start < 30
        with procs.session() as s:
            row = s.scalars(sa.select(models.Conductor)).one()
        assert row.pid == again.pid != os.getpid()
    finally:
        procs.stop()
        db.cleanUp()
