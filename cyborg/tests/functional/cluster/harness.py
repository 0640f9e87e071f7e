"""Real processes for the cluster tests: conductors, an agent, the API.

:class:`Processes` writes one config file (RabbitMQ with a control
exchange of its own, the given database, the recording Nova, short
heartbeats) and spawns ``cyborg-conductor`` (the real console entry
point), the bind tests' agent (``bind/procs.py``) and ``cyborg-api``,
each with its own ``[DEFAULT] host`` and log file.
"""
import os
import signal
import socket
import subprocess
import sys
import time
import uuid

import pytest
import requests
import sqlalchemy as sa

from cyborg.db import migration
from cyborg.tests.fixtures import database
from cyborg.tests.fixtures import servers
from cyborg.tests.functional.bind import env

RABBIT = os.environ.get('CYBORG_TEST_RABBIT_URL',
                        'rabbit://cyborg:cyborg@127.0.0.1:5672/')
HEADERS = dict(env.SERVICE, **{'Content-Type': 'application/json'})
_CONDUCTOR = ('import sys; from cyborg.cmd import conductor as m; '
              'sys.exit(m.main(sys.argv[1:]))')
_API = 'import sys; from cyborg.cmd.api import main; main(sys.argv[1:])'


def rabbit_up():
    """RabbitMQ's URL; skips (local run) or fails (CI) without it."""
    return servers.require('rabbitmq')


# The fixture lives in this folder's conftest.py.
needs_rabbit = pytest.mark.usefixtures('_rabbitmq')


def server_db(name):
    """A throwaway database on the ``mysql``/``postgresql`` test server
    (skips when there is none), at alembic head."""
    url = database.backend_url(name)
    if url is None:
        pytest.skip('%s test server not reachable' % name)
    db = database.ThrowawayDatabase(url)
    db.setUp()
    migration.upgrade('head', engine=db.engine)
    return db


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Processes:
    def __init__(self, tmp_path, db_url, fake_nova=None, extra=(),
                 heartbeat_interval=1, heartbeat_timeout=3):
        self.tmp = tmp_path
        self.engine = sa.create_engine(db_url, poolclass=sa.pool.NullPool)
        self.port = free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        self.procs = {}
        self.root = tmp_path / 'sys-root'
        self.root.mkdir(exist_ok=True)
        exchange = 'cyborg_test_%s' % uuid.uuid4().hex[:8]
        lines = ['[DEFAULT]', 'transport_url = %s' % RABBIT,
                 'control_exchange = %s' % exchange,
                 'rpc_response_timeout = 20', 'debug = false',
                 '[database]', 'connection = %s' % db_url,
                 '[conductor]',
                 'heartbeat_interval = %d' % heartbeat_interval,
                 'heartbeat_timeout = %d' % heartbeat_timeout,
                 '[api]', 'auth_strategy = noauth', 'host_ip = 127.0.0.1',
                 'port = %d' % self.port]
        lines += list(fake_nova.conf_lines()) if fake_nova else []
        self.conf = tmp_path / 'cyborg.conf'
        self.conf.write_text('\n'.join(lines + list(extra)) + '\n')

    def spawn(self, name, argv, host):
        log = open(self.tmp / ('%s.log' % name), 'a')
        host_conf = self.tmp / ('%s.conf' % name)
        host_conf.write_text('[DEFAULT]\nhost = %s\n' % host)
        cmd = [sys.executable] + argv + ['--config-file', str(self.conf),
                                         '--config-file', str(host_conf)]
        self.procs[name] = subprocess.Popen(
            cmd, stdout=log, stderr=subprocess.STDOUT,
            env=dict(os.environ, PYTHONWARNINGS='ignore'))
        return self.procs[name]

    def conductor(self, name, host=None, wait=True):
        proc = self.spawn(name, ['-c', _CONDUCTOR], host or name)
        if wait:
            self.wait_log(name, 'cyborg-conductor running as')
        return proc

    def agent(self, delay=0.0, host='agent-1'):
        self.spawn('agent', ['-m', 'cyborg.tests.functional.bind.procs',
                             'agent', '--root', str(self.root),
                             '--delay', str(delay)], host)
        self.wait_log('agent', 'agent ready')

    def api(self):
        self.spawn('api', ['-c', _API], 'api-1')
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.procs['api'].poll() is None, self.log('api')
            try:
                requests.get(self.url + '/', timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.2)
        raise AssertionError('API not ready: %s' % self.log('api'))

    def log(self, name):
        return (self.tmp / ('%s.log' % name)).read_text()

    def wait_log(self, name, text, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log(name):
                return
            if self.procs[name].poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError('%s: no %r: %s' % (name, text, self.log(name)))

    def kill(self, name, sig=signal.SIGKILL):
        proc = self.procs.pop(name)
        proc.send_signal(sig)
        proc.wait(30)

    def stop(self):
        for name in list(self.procs):
            proc = self.procs.pop(name)
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        self.engine.dispose()

    def http(self, method, path, body=None, timeout=30):
        return requests.request(method, self.url + path, json=body,
                                headers=HEADERS, timeout=timeout)

    def session(self):
        return sa.orm.Session(self.engine)
