"""cyborg-dbsync end to end, on a real SQLite file (and MySQL/PostgreSQL
for upgrade and version)."""
import os
import shutil
import subprocess
import sys

from oslo_config import cfg
import pytest
import sqlalchemy as sa

from cyborg import conf as cyborg_conf
from cyborg.cmd import dbsync
from cyborg.db import migration
from cyborg.tests.fixtures import database
from cyborg.tests.fixtures import servers


def _dbsync(tmp_path, url, *args):
    """Run ``cyborg-dbsync --config-file F ARGS`` in-process."""
    conf_file = tmp_path / 'cyborg.conf'
    conf_file.write_text(f'[database]\nconnection = {url}\n')
    conf = cfg.ConfigOpts()
    cyborg_conf.register_all(conf)
    return dbsync.main(['--config-file', str(conf_file), *args], conf=conf)


@pytest.fixture
def url(tmp_path):
    return f'sqlite:///{tmp_path}/cyborg.sqlite'


def test_upgrade_then_version(tmp_path, url, capsys):
    assert _dbsync(tmp_path, url, 'version') == 0
    assert capsys.readouterr().out == 'None\n'
    assert _dbsync(tmp_path, url, 'upgrade') == 0
    assert _dbsync(tmp_path, url, 'version') == 0
    assert capsys.readouterr().out == f'{migration.head()}\n'


def test_upgrade_to_a_revision_and_stamp(tmp_path, url, capsys):
    assert _dbsync(tmp_path, url, 'upgrade', '--revision',
                   migration.BASELINE) == 0
    assert migration.version(url=url) == migration.BASELINE
    assert _dbsync(tmp_path, url, 'stamp', '--revision', 'head') == 0
    assert migration.version(url=url) == migration.head()
    assert _dbsync(tmp_path, url, 'stamp', '--revision',
                   migration.BASELINE) == 0
    assert migration.version(url=url) == migration.BASELINE


def test_create_schema_once(tmp_path, url, capsys):
    assert _dbsync(tmp_path, url, 'create_schema') == 0
    assert migration.version(url=url) == migration.head()
    assert _dbsync(tmp_path, url, 'create_schema') == 1
    assert 'already versioned' in capsys.readouterr().err


def test_revision_autogenerate_finds_nothing(tmp_path, url, monkeypatch):
    """A developer's autogenerate at head produces an empty migration."""
    scripts = tmp_path / 'alembic'
    shutil.copytree(migration.ALEMBIC_DIR, scripts,
                    ignore=shutil.ignore_patterns('__pycache__'))
    monkeypatch.setattr(migration, 'ALEMBIC_DIR', str(scripts))
    head = migration.head()
    assert _dbsync(tmp_path, url, 'upgrade') == 0
    assert _dbsync(tmp_path, url, 'revision', '-m', 'nothing',
                   '--autogenerate') == 0
    [script] = (scripts / 'versions').glob('*_nothing.py')
    body = script.read_text()
    assert f"down_revision = '{head}'" in body
    upgrade = body.split('def upgrade():')[1]
    assert 'pass' in upgrade and 'op.' not in upgrade


def test_online_data_migrations(tmp_path, url, capsys):
    assert _dbsync(tmp_path, url, 'upgrade') == 0
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for n, state in enumerate((None, None, 'allocated')):
            conn.execute(sa.text(
                "INSERT INTO devices (uuid, type, vendor, model, hostname, "
                "status, device_state) VALUES (:u, 'GPU', 'v', 'm', 'cn1', "
                "'enabled', :s)"), {'u': f'd{n}', 's': state})
    capsys.readouterr()
    assert _dbsync(tmp_path, url, 'online_data_migrations') == 0
    out = capsys.readouterr().out
    assert 'Migrated 0 ARQ(s)' in out
    assert 'Backfilled device_state on 2/2 devices' in out
    with engine.connect() as conn:
        states = conn.execute(sa.text(
            'SELECT device_state FROM devices ORDER BY uuid')).scalars()
        assert list(states) == ['available', 'available', 'allocated']
    assert _dbsync(tmp_path, url, 'online_data_migrations') == 0
    assert 'on 0/0 devices' in capsys.readouterr().out
    engine.dispose()


def test_online_data_migrations_arqs_without_project_need_nova(
        tmp_path, url, caplog):
    """Back-filling from Nova needs [nova]; with FakeNova: see
    ``functional/cmd/test_dbsync_online.py``."""
    assert _dbsync(tmp_path, url, 'upgrade') == 0
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO device_profiles (uuid, name, profile_json) "
            "VALUES ('p1', 'dp', '{}')"))
        conn.execute(sa.text(
            "INSERT INTO extended_accelerator_requests (uuid, state, "
            "device_profile_id, device_profile_group_id, substate, "
            "instance_uuid) VALUES ('a1', 'Bound', 1, 0, 'Initial', 'i1')"))
    engine.dispose()
    assert _dbsync(tmp_path, url, 'online_data_migrations') == 2
    assert 'Nova is not configured' in caplog.text


@pytest.mark.parametrize('backend', ['mysql', 'postgresql'])
def test_upgrade_on_server(tmp_path, capsys, backend):
    server = servers.require(backend)
    db = database.ThrowawayDatabase(server)
    db.setUp()
    try:
        assert _dbsync(tmp_path, db.url_string(), 'upgrade') == 0
        assert _dbsync(tmp_path, db.url_string(), 'version') == 0
        assert capsys.readouterr().out.endswith(f'{migration.head()}\n')
    finally:
        db.cleanUp()


def test_console_script(tmp_path, url):
    """The real command line: a separate process, --config-file parsing."""
    conf_file = tmp_path / 'cyborg.conf'
    conf_file.write_text(f'[database]\nconnection = {url}\n')
    command = [sys.executable, '-m', 'cyborg.cmd.dbsync',
               '--config-file', str(conf_file)]
    env = dict(os.environ, PYTHONWARNINGS='ignore')
    done = subprocess.run(command + ['upgrade'], capture_output=True,
                          text=True, env=env, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert 'Running upgrade b47c8f2d1e3a -> c3a1d5e7f902' in done.stderr
    assert migration.version(url=url) == migration.head()
