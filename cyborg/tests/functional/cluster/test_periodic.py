"""Periodic work runs once per cycle across the cluster (a count).

Three real ``cyborg-conductor`` processes on RabbitMQ share a MariaDB or
PostgreSQL database (their locks: tooz's mysql/postgresql driver on that
database); the takeover and bind-deadline jobs have a 1 s cycle. Over a
window, the runs counted in ``periodic_tasks`` and in the three logs are
one per cycle, not three. On SQLite, three runners in one process (the
in-process lock) give the same count.
"""
import re
import time

import pytest
import sqlalchemy as sa

from cyborg.conductor.cluster import coordination
from cyborg.conductor.cluster import periodic
from cyborg.db import models
from cyborg.tests.fixtures import database
from cyborg.tests.functional.cluster import harness

JOBS = ('takeover', 'bind-deadlines')


def _runs(session):
    rows = session.execute(sa.select(models.PeriodicTask.name,
                                     models.PeriodicTask.runs)).all()
    return dict(rows)


def _check_window(before, after, elapsed, interval=1.0):
    for job in JOBS:
        done = after[job] - before.get(job, 0)
        # One per cycle, never one per conductor (about 3 * elapsed): a
        # cycle lasts at least 0.9 interval, and at most about 2.5 (MySQL
        # rounds the next run up to a whole second; a busy box wakes late).
        assert (elapsed - 2) / (2.5 * interval) <= done \
            <= elapsed / (0.9 * interval) + 1, (job, done, elapsed)


@harness.needs_rabbit
@pytest.mark.parametrize('backend', ['mysql', 'postgresql'])
def test_three_conductors_run_each_cycle_once(tmp_path, backend):
    db = harness.server_db(backend)
    procs = harness.Processes(tmp_path, db.url_string(),
                              extra=['[DEFAULT]', 'bind_timeout = 4'])
    try:
        names = ['cond-%d' % n for n in range(3)]
        for name in names:
            procs.conductor(name, wait=False)
        for name in names:
            procs.wait_log(name, 'cyborg-conductor running as')
            assert 'Cluster locks: %s' % backend in procs.log(name)
        with procs.session() as s:
            before, start = _runs(s), time.monotonic()
        time.sleep(6)
        with procs.session() as s:
            after, elapsed = _runs(s), time.monotonic() - start
        _check_window(before, after, elapsed)
        for name in names:
            procs.kill(name, sig=15)
        with procs.session() as s:
            total = _runs(s)
        for job in JOBS:
            logged = sum(
                len(re.findall(r'Periodic task %s: run by cond-' % job,
                               procs.log(name))) for name in names)
            assert logged == total[job]
    finally:
        procs.stop()
        db.cleanUp()


def test_sqlite_runners_in_one_process(tmp_path):
    with database.Database():
        coordination.stop()        # the in-process (SQLite) locks
        counted = []

        def job():
            counted.append(time.monotonic())
        runners = [periodic.Runner('c%d' % n, [
            periodic.Job('count', 0.5, job)]).start() for n in range(3)]
        try:
            time.sleep(3.2)
        finally:
            for runner in runners:
                runner.stop()
        assert 5 <= len(counted) <= 8, counted
        assert sum(r.runs('count') for r in runners) == len(counted)
        gaps = [b - a for a, b in zip(counted, counted[1:])]
        assert min(gaps) >= 0.4, gaps
