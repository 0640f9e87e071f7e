"""SQLite writers under contention (issue 12 and the serving work).

* Threads in one process run read-then-write transactions on one file with
  no retry wrapper: with a deferred ``BEGIN`` the losers of each round
  fail at once (SQLite cannot wait for a stale snapshot); with the
  writer's ``BEGIN IMMEDIATE`` (``cyborg.db.session``) every one waits for
  the lock and commits. Readers never wait for a writer.
* The ``BEGIN`` that :func:`cyborg.db.session.begin_on_the_driver` sends
  straight to the driver still opens a transaction: a reader keeps its
  snapshot across statements while a writer commits; a writer that finds
  the file locked gets the OperationalError that ``retry_on_busy`` retries.
* Two writer processes (what uWSGI or cyborg-api workers share) create
  ARQs under steady load through the service's sessions: every create
  commits.
"""
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import uuid

import sqlalchemy as sa

from cyborg import context as cyborg_context
from cyborg.db import models
from cyborg.db import session
from cyborg.tests.fixtures import database as database_fixture
from cyborg.tests.fixtures.database import database  # noqa: F401

THREADS, EACH = 6, 8


@session.writer
def _count_then_add(context, tag):
    count = context.session.scalar(
        sa.select(sa.func.count()).select_from(models.DeviceProfile))
    context.session.add(models.DeviceProfile(
        uuid=str(uuid.uuid4()), name='%s-%d' % (tag, count),
        profile_json='{"groups": []}'))


@session.reader
def _count(context):
    return context.session.scalar(
        sa.select(sa.func.count()).select_from(models.DeviceProfile))


def test_read_then_write_transactions_all_commit(database):  # noqa: F811
    errors, barrier = [], threading.Barrier(THREADS)

    def work(n):
        ctx = cyborg_context.get_admin_context()
        barrier.wait()
        for i in range(EACH):
            try:
                _count_then_add(ctx, 't%d-%d' % (n, i))
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(repr(exc)[:200])

    threads = [threading.Thread(target=work, args=(n,))
               for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert _count(cyborg_context.get_admin_context()) == THREADS * EACH


@session.reader
def _count_twice(context, between):
    first = _count(context)     # the snapshot starts at the first read
    between()
    return first, _count(context)


def test_a_reader_keeps_its_snapshot_while_a_writer_commits(
        database):  # noqa: F811
    ctx = cyborg_context.get_admin_context()
    # as the service's file: write-ahead log, so the writer never waits
    # for the reader
    wal = sqlite3.connect(database.path)
    wal.execute('PRAGMA journal_mode=WAL')
    wal.close()
    database.engine.dispose()
    assert [fn.__name__ for fn in database.engine.dispatch.begin] == [
        '_begin_on_the_driver']

    def write_in_another_thread():
        t = threading.Thread(target=_count_then_add, args=(
            cyborg_context.get_admin_context(), 'other'))
        t.start()
        t.join(30)

    assert _count_twice(ctx, write_in_another_thread) == (0, 0)
    assert _count(ctx) == 1     # the write did commit


def test_a_writer_finding_the_file_locked_gets_a_retryable_error(
        database):  # noqa: F811
    blocker = sqlite3.connect(database.path, isolation_level=None)
    blocker.execute('BEGIN IMMEDIATE')
    try:
        with database.engine.connect() as conn:
            conn.exec_driver_sql('PRAGMA busy_timeout=50')
            try:
                session.take_write_lock(conn)
            except Exception as exc:  # noqa: BLE001 - asserted below
                error = exc
            else:
                error = None
    finally:
        blocker.execute('ROLLBACK')
        blocker.close()
    assert isinstance(error, sa.exc.OperationalError), repr(error)
    assert session.is_busy(error)


REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))))
CREATES = 150

_CHILD = r'''
import os, sys, time
from cyborg.conf import CONF
CONF([], project='cyborg', default_config_files=[])
CONF.set_override('connection', 'sqlite:///' + sys.argv[1], 'database')
from cyborg import context
from cyborg.db.queries import arqs
ctx = context.RequestContext(user_id='u', project_id='p', is_admin=True)
go = sys.argv[2]
while not os.path.exists(go):
    time.sleep(0.01)
done = 0
for _ in range(int(sys.argv[3])):
    arqs.create_for_profile(ctx, 'shared', lambda profile: [0])
    done += 1
print('created', done)
'''


def test_two_processes_creating_arqs_all_commit(tmp_path):
    path = str(tmp_path / 'cyborg.sqlite')
    shutil.copyfile(database_fixture.template_path(), path)
    engine = database_fixture.sqlite_engine(path)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO device_profiles (uuid, name, profile_json, "
                "created_at) VALUES ('0f6c8a0e-5a7b-4c1e-9f0e-1d2c3b4a5f60',"
                " 'shared', '{\"groups\": [{\"resources:FPGA\": \"1\"}]}',"
                " CURRENT_TIMESTAMP)"))
    finally:
        engine.dispose()
    go = str(tmp_path / 'go')
    env = dict(os.environ, PYTHONPATH=REPO)
    procs = [subprocess.Popen(
        [sys.executable, '-c', _CHILD, path, go, str(CREATES)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for _ in range(2)]
    time.sleep(0.5)
    open(go, 'w').close()
    outputs = [p.communicate(timeout=120) for p in procs]
    for proc, (out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err[-3000:]
        assert out.strip() == 'created %d' % CREATES, (out, err[-2000:])
    engine = database_fixture.sqlite_engine(path)
    try:
        with engine.connect() as conn:
            count = conn.scalar(sa.text(
                'SELECT count(*) FROM extended_accelerator_requests'))
    finally:
        engine.dispose()
    assert count == 2 * CREATES
