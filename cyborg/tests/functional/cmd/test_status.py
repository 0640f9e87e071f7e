"""cyborg-status upgrade check, as a process, against real databases.

Each problem the check looks for makes it fail with the fix named in its
details; running that fix (where it is a command of ours) makes the same
check pass. Fresh deployments (standalone, multi-process) are in
test_status_deployments.py.
"""
import json
import socket
import subprocess
import sys

from oslo_config import cfg
import pytest
import sqlalchemy as sa

from cyborg import conf as cyborg_conf
from cyborg.cmd import dbsync
from cyborg.db import migration
from cyborg.tests.functional.db import test_adoption

SCHEMA = 'Database schema at head'
STATE = 'Device state backfill'
POLICY = 'Policy File JSON to YAML Migration'


def status(config, *extra):
    """``cyborg-status --config-file CONFIG upgrade check --json``:
    (exit code, {check name: {result, details}})."""
    proc = subprocess.run(
        [sys.executable, '-m', 'cyborg.cmd.status', '--config-file',
         str(config), 'upgrade', 'check', '--json', *extra],
        capture_output=True, text=True, timeout=120)
    assert '{' in proc.stdout, proc.stdout + proc.stderr
    out = proc.stdout[proc.stdout.index('{'):]
    return proc.returncode, {c['check']: c for c in
                             json.loads(out)['checks']}


def write_config(tmp_path, url, extra=''):
    conf = tmp_path / 'cyborg.conf'
    conf.write_text('[database]\nconnection = %s\n%s' % (url, extra))
    return conf


def _dbsync(conf_file, *args):
    """The named fix: ``cyborg-dbsync`` on the same config (in-process;
    its own process is tested in test_dbsync*.py)."""
    conf = cfg.ConfigOpts()
    cyborg_conf.register_all(conf)
    assert dbsync.main(['--config-file', str(conf_file), *args],
                       conf=conf) == 0


@pytest.fixture
def sqlite(tmp_path):
    url = 'sqlite:///%s' % (tmp_path / 'cyborg.sqlite')
    engine = sa.create_engine(url)
    yield url, engine, write_config(tmp_path, url)
    engine.dispose()


def _fails_with(checks, name, *phrases):
    assert checks[name]['result'] == 2, checks
    for phrase in phrases:
        assert phrase in checks[name]['details'], checks[name]


def _all_pass(code, checks):
    assert code == 0, checks
    assert {c['result'] for c in checks.values()} == {0}, checks


def test_up_to_date_database_passes(sqlite):
    url, _, conf = sqlite
    migration.upgrade('head', url=url)
    _all_pass(*status(conf))


def test_unversioned_database_fails_then_upgrade_fixes_it(sqlite):
    _, engine, conf = sqlite
    engine.connect().close()
    code, checks = status(conf)
    assert code == 2
    _fails_with(checks, SCHEMA, 'no Cyborg schema', 'cyborg-dbsync upgrade')
    _fails_with(checks, STATE, 'no device_state column',
                'cyborg-dbsync upgrade')
    _dbsync(conf, 'upgrade')
    _all_pass(*status(conf))


def test_schema_behind_head_fails_then_upgrade_fixes_it(sqlite):
    url, _, conf = sqlite
    migration.upgrade(migration.BASELINE, url=url)
    code, checks = status(conf)
    assert code == 2
    _fails_with(checks, SCHEMA, migration.BASELINE, migration.head(),
                'cyborg-dbsync upgrade')
    assert checks[STATE]['result'] == 0
    _dbsync(conf, 'upgrade')
    _all_pass(*status(conf))


def test_upstream_master_database_fails_then_upgrade_adopts_it(sqlite):
    _, engine, conf = sqlite
    test_adoption._make_upstream_master(engine)
    code, checks = status(conf)
    assert code == 2
    _fails_with(checks, SCHEMA, migration.UPSTREAM_MASTER,
                'cyborg-dbsync upgrade', 'adopts')
    _fails_with(checks, STATE, 'cyborg-dbsync upgrade')
    _dbsync(conf, 'upgrade')
    code, checks = status(conf)
    # The adopted device predates device_state: the next fix is named.
    _fails_with(checks, STATE, '1 device(s) have no device_state',
                'cyborg-dbsync online_data_migrations')
    _dbsync(conf, 'online_data_migrations')
    _all_pass(*status(conf))


@pytest.mark.parametrize('revision, phrases', [
    ('4cc1d79978fc', ('upgrade it with upstream Cyborg to 6c77bd6afea5',
                      'cyborg-dbsync upgrade')),
    ('0123456789ab', ('does not know', 'upgrade the Cyborg packages')),
])
def test_other_revisions_fail_naming_the_fix(sqlite, revision, phrases):
    url, engine, conf = sqlite
    migration.upgrade('head', url=url)
    with engine.begin() as conn:
        conn.execute(sa.text('UPDATE alembic_version SET version_num = :v'),
                     {'v': revision})
    code, checks = status(conf)
    assert code == 2
    _fails_with(checks, SCHEMA, revision, *phrases)


def test_device_without_state_fails_then_backfill_fixes_it(sqlite):
    url, engine, conf = sqlite
    migration.upgrade('head', url=url)
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO devices (uuid, type, vendor, model, hostname, "
            "status) VALUES ('d1', 'GPU', '10de', 't4', 'cn1', 'enabled')"))
    code, checks = status(conf)
    assert code == 2
    assert checks[SCHEMA]['result'] == 0
    _fails_with(checks, STATE, '1 device(s) have no device_state',
                'cyborg-dbsync online_data_migrations')
    _dbsync(conf, 'online_data_migrations')
    _all_pass(*status(conf))


def test_unreachable_database_fails_naming_the_connection(tmp_path):
    with socket.socket() as s:       # a port nobody listens on
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    conf = write_config(
        tmp_path, 'mysql+pymysql://cyborg:cyborg@127.0.0.1:%d/cyborg' % port)
    code, checks = status(conf)
    assert code == 2
    for name in (SCHEMA, STATE):
        _fails_with(checks, name, 'Cannot reach the database',
                    '[database] connection')


def test_json_policy_file_fails_then_yaml_fixes_it(sqlite, tmp_path):
    url, _, _ = sqlite
    migration.upgrade('head', url=url)
    (tmp_path / 'policy.json').write_text(
        json.dumps({'cyborg:arq:get_all': 'rule:default'}))
    conf = write_config(tmp_path, url,
                        '[oslo_policy]\npolicy_file = %s\n'
                        % (tmp_path / 'policy.json'))
    code, checks = status(conf)
    assert code == 2
    _fails_with(checks, POLICY, 'oslopolicy-convert-json-to-yaml')
    (tmp_path / 'policy.yaml').write_text(
        '"cyborg:arq:get_all": "rule:default"\n')
    conf = write_config(tmp_path, url,
                        '[oslo_policy]\npolicy_file = %s\n'
                        % (tmp_path / 'policy.yaml'))
    _all_pass(*status(conf))
