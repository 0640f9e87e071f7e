"""cyborg-dbsync online_data_migrations: ARQ project_id from Nova.

The real command in a subprocess, on a migrated SQLite file, with
``[nova] endpoint_override`` pointing at a FakeNova on loopback.
"""
import json
import subprocess
import sys
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from cyborg.db import migration
from cyborg.db import models
from cyborg.tests.fixtures.nova import FakeNova


@pytest.fixture
def nova():
    with FakeNova() as fake:
        yield fake


@pytest.fixture
def db(tmp_path):
    url = 'sqlite:///%s' % (tmp_path / 'cyborg.sqlite')
    migration.upgrade('head', url=url)
    engine = sa.create_engine(url)
    yield url, engine
    engine.dispose()


def _seed(engine, rows):
    with orm.Session(engine) as s:
        profile = models.DeviceProfile(
            uuid=str(uuid.uuid4()), name='dp',
            profile_json=json.dumps({'groups': [{'resources:FPGA': '1'}]}))
        s.add(profile)
        s.flush()
        uuids = []
        for instance, project in rows:
            arq = models.ExtArq(
                uuid=str(uuid.uuid4()), project_id=project, state='Bound',
                device_profile_id=profile.id, device_profile_group_id=0,
                instance_uuid=instance)
            s.add(arq)
            uuids.append(arq.uuid)
        s.commit()
    return uuids


def _projects(engine):
    with engine.connect() as conn:
        return dict(conn.execute(sa.select(
            models.ExtArq.uuid, models.ExtArq.project_id)).all())


def _dbsync(tmp_path, url, nova=None):
    conf = tmp_path / 'cyborg.conf'
    lines = ['[database]', 'connection = %s' % url]
    if nova is not None:
        lines += nova.conf_lines()
    conf.write_text('\n'.join(lines) + '\n')
    return subprocess.run(
        [sys.executable, '-m', 'cyborg.cmd.dbsync', '--config-file',
         str(conf), 'online_data_migrations'],
        capture_output=True, text=True, timeout=120)


def test_backfills_skips_404_and_keeps_projects(tmp_path, db, nova):
    url, engine = db
    known, other, gone = (str(uuid.uuid4()) for _ in range(3))
    nova.servers = {known: 'p-known', other: 'p-other'}
    arqs = _seed(engine, [(known, None), (gone, None), (other, None),
                          (known, 'mine'), (known, None)])
    proc = _dbsync(tmp_path, url, nova)
    assert proc.returncode == 0, proc.stderr
    assert 'Migrated 3 ARQ(s)' in proc.stdout
    assert 'Skipped 1 ARQ(s)' in proc.stdout
    assert 'Backfilled device_state on 0/0 devices' in proc.stdout
    assert gone in proc.stderr and '404' in proc.stderr
    assert _projects(engine) == {arqs[0]: 'p-known', arqs[1]: None,
                                 arqs[2]: 'p-other', arqs[3]: 'mine',
                                 arqs[4]: 'p-known'}
    asked = sorted(path.rsplit('/', 1)[1] for path, _ in nova.gets)
    assert asked == sorted([known, gone, other])
    assert {h['OpenStack-API-Version'] for _, h in nova.gets} == \
        {'compute 2.82'}


def test_nova_500_exits_2(tmp_path, db, nova):
    url, engine = db
    bad, good = str(uuid.uuid4()), str(uuid.uuid4())
    nova.servers = {bad: 'p-bad', good: 'p-good'}
    nova.servers_fail = {bad}
    arqs = _seed(engine, [(bad, None), (good, None)])
    proc = _dbsync(tmp_path, url, nova)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert 'Migrated 1 ARQ(s)' in proc.stdout
    assert 'HTTP 500' in proc.stderr
    # The other step still ran.
    assert 'Backfilled device_state on 0/0 devices' in proc.stdout
    assert _projects(engine) == {arqs[0]: None, arqs[1]: 'p-good'}


def test_without_nova(tmp_path, db):
    url, engine = db
    # Nothing to back-fill: [nova] is not needed.
    proc = _dbsync(tmp_path, url)
    assert proc.returncode == 0, proc.stderr
    assert 'Migrated 0 ARQ(s)' in proc.stdout
    # ARQs to back-fill and no [nova]: a clear failure.
    _seed(engine, [(str(uuid.uuid4()), None)])
    proc = _dbsync(tmp_path, url)
    assert proc.returncode == 2
    assert 'Nova is not configured' in proc.stderr
    assert 'Backfilled device_state on 0/0 devices' in proc.stdout
