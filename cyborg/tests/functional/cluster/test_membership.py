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
import uuid

from oslo_utils import timeutils
import psutil
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


def _server_pid(proc):
    """The pid of the process that runs the conductor: the launcher's
    child where there is one, else the process itself."""
    children = psutil.Process(proc.pid).children()
    return children[0].pid if children else proc.pid


def test_processes_same_host_refused(tmp_path):
    db = harness.server_db('mysql')
    try:
        harness.rabbit_up()
    except BaseException:
        db.cleanUp()
        raise
    procs = harness.Processes(tmp_path, db.url_string())
    try:
        first = procs.conductor('first', host='cond-x')
        second = procs.conductor('second', host='cond-x', wait=False)
        assert second.wait(60) != 0
        log = procs.log('second')
        assert "another conductor is already running with host name " \
               "'cond-x'" in log, log
        # The launcher's service process (a child of the master) holds it.
        assert 'process %d' % _server_pid(first) in log
        assert 'cyborg-conductor running as' not in log
        assert first.poll() is None
        with procs.session() as s:
            row = s.scalars(sa.select(models.Conductor)).one()
        assert (row.hostname, row.pid, row.online) == (
            'cond-x', _server_pid(first), True)
        # SIGKILLed and started again on this machine: no waiting.
        procs.kill('first')
        start = time.monotonic()
        again = procs.conductor('again', host='cond-x')
        assert time.monotonic() - start < 30
        with procs.session() as s:
            row = s.scalars(sa.select(models.Conductor)).one()
        assert row.pid == _server_pid(again) != os.getpid()
    finally:
        procs.stop()
        db.cleanUp()


def test_takeover_fails_only_binds_of_dead_members(db):
    """In-process: the rows as a dead member, a live one, a cleanly
    stopped one and a conductor of an older release left them."""
    from cyborg.conductor.cluster import takeover
    from cyborg.db.queries import binding as bind_db
    from cyborg.tests.functional.bind import env
    ctx = cyborg_context.get_admin_context()
    owners = ['dead', 'live', 'stopped', 'old-release']
    arqs = {}
    with db.session() as s:
        rp = env.add_device(s, handles=4)
        profile = models.DeviceProfile(uuid=str(uuid.uuid4()), name='p',
                                       profile_json='{"groups": [{}]}')
        s.add(profile)
        s.flush()
        for owner in owners:
            arq = models.ExtArq(uuid=str(uuid.uuid4()), state='Initial',
                                device_profile_id=profile.id,
                                device_profile_group_id=0)
            s.add(arq)
            arqs[owner] = arq.uuid
        s.commit()
    members = {name: membership.Member(name, interval=1, timeout=3).join()
               for name in ('dead', 'live', 'stopped')}
    for owner in owners:
        bind_db.run(ctx, bind_db.reserve, [(arqs[owner], {
            'hostname': 'compute-1', 'device_rp_uuid': rp,
            'instance_uuid': str(uuid.uuid4()), 'project_id': 'p'})],
            owner)
    members['dead']._stop.set()
    _age(db, 'dead', 10)
    members['stopped'].leave()
    try:
        failed = takeover.run('live', timeout=3)
    finally:
        members['live'].leave()
    assert failed == {'dead': [arqs['dead']],
                      'stopped': [arqs['stopped']]}
    with db.session() as s:
        states = dict(s.execute(sa.select(models.ExtArq.uuid,
                                          models.ExtArq.state)).all())
        reason = s.scalars(sa.select(models.ExtArq.state_reason).where(
            models.ExtArq.uuid == arqs['dead'])).one()
    assert states == {arqs['dead']: 'BindFailed', arqs['live']:
                      'BindStarted', arqs['stopped']: 'BindFailed',
                      arqs['old-release']: 'BindStarted'}
    assert 'conductor dead stopped or missed its heartbeats' in reason
    assert 'failed by conductor live' in reason
