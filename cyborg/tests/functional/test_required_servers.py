"""A missing test server skips a local run and fails a CI run.

Each case runs a real ``pytest`` or ``tools/test-setup.sh`` in a child
process, with MariaDB pointed at a port where nothing listens, and checks
what that run reported and how it exited.
"""
import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

from cyborg.tests.fixtures import servers

ROOT = pathlib.Path(__file__).resolve().parents[3]
NOWHERE = 'mysql+pymysql://nobody:secret@127.0.0.1:1/none'

NEEDS_MYSQL = textwrap.dedent('''
    from cyborg.tests.fixtures import database
    from cyborg.tests.fixtures import servers

    def test_require():
        servers.require('mysql')

    def test_backend_url():
        url = database.backend_url('mysql')
        assert url is None
''')


def _env(required, **extra):
    env = dict(os.environ, CYBORG_TEST_MYSQL_URL=NOWHERE,
               CYBORG_TEST_REQUIRE_SERVERS='1' if required else '0')
    env.update(extra)
    return env


def _pytest(tmp_path, required, folder='unit'):
    target = tmp_path / folder
    target.mkdir()
    (target / 'test_needs_mysql.py').write_text(NEEDS_MYSQL)
    return subprocess.run(
        [sys.executable, '-m', 'pytest', '-p', 'no:cacheprovider',
         '-p', 'cyborg.tests.conftest', '-rs', '-q', str(target)],
        cwd=tmp_path, env=_env(required), capture_output=True, text=True,
        timeout=120)


def test_local_run_skips_with_the_reason(tmp_path):
    run = _pytest(tmp_path, required=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert '1 passed, 1 skipped' in run.stdout
    assert ('mysql is not reachable at '
            'mysql+pymysql://nobody:***@127.0.0.1:1/none') in run.stdout
    assert 'tools/ci/start-mysql.sh' in run.stdout
    assert 'secret' not in run.stdout


def test_required_run_fails_the_test(tmp_path):
    run = _pytest(tmp_path, required=True)
    assert run.returncode == 1, run.stdout + run.stderr
    assert '2 failed' in run.stdout
    assert 'mysql is not reachable' in run.stdout
    assert '[required: CI=true]' in run.stdout


def test_required_run_refuses_a_functional_session(tmp_path):
    run = _pytest(tmp_path, required=True, folder='functional')
    assert run.returncode == 3, run.stdout + run.stderr
    out = run.stdout + run.stderr
    assert 'required test servers are missing' in out
    assert 'mysql is not reachable' in out
    assert 'passed' not in run.stdout and 'failed' not in run.stdout


def test_ci_variable_makes_servers_required(monkeypatch):
    monkeypatch.delenv('CYBORG_TEST_REQUIRE_SERVERS', raising=False)
    monkeypatch.setenv('CI', 'true')
    assert servers.required()
    monkeypatch.setenv('CI', '')
    assert not servers.required()
    monkeypatch.setenv('CI', 'true')
    monkeypatch.setenv('CYBORG_TEST_REQUIRE_SERVERS', '0')
    assert not servers.required()


def _fake_scripts(tmp_path, failing):
    folder = tmp_path / 'ci'
    folder.mkdir()
    for name in servers.NAMES:
        body = ('echo "%s: starting"; echo "%s log: port in use" >&2; exit 7'
                % (name, name) if name == failing
                else 'echo "%s ready"' % name)
        (folder / ('start-%s.sh' % name)).write_text(body + '\n')
    return folder


@pytest.mark.parametrize('required', [True, False])
def test_setup_script_when_a_server_does_not_start(tmp_path, required):
    folder = _fake_scripts(tmp_path, failing='postgresql')
    env = _env(required, CYBORG_CI_SCRIPTS=str(folder))
    run = subprocess.run(['bash', str(ROOT / 'tools' / 'test-setup.sh')],
                         env=env, capture_output=True, text=True,
                         timeout=60)
    assert 'mysql ready' in run.stdout and 'rabbitmq ready' in run.stdout
    assert 'ERROR: postgresql did not start (exit 7)' in run.stderr
    assert 'postgresql log: port in use' in run.stderr
    if required:
        assert run.returncode == 1
        assert 'FAILED: required test servers did not start: postgresql' \
            in run.stderr
    else:
        assert run.returncode == 0
        assert 'WARNING: not started: postgresql' in run.stderr


def test_setup_script_with_every_server_up(tmp_path):
    folder = _fake_scripts(tmp_path, failing=None)
    run = subprocess.run(['bash', str(ROOT / 'tools' / 'test-setup.sh')],
                         env=_env(True, CYBORG_CI_SCRIPTS=str(folder)),
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ''
