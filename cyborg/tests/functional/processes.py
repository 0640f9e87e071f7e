"""A group of real cyborg processes sharing one config file.

:class:`ProcessGroup` writes the group's config (RabbitMQ with a control
exchange of its own, the API on a free loopback port, and whatever the
caller adds), spawns each process with its own ``[DEFAULT] host`` and log
file under ``tmp_path``, waits for log lines or for the API, and stops
them all (SIGTERM, then SIGKILL). The bind tests' ``Cluster`` and the
cluster tests' ``Processes`` build on it.

The control exchange keeps a group's notifications apart, not its RPC
calls: the topic queues are named after the topic alone and shared by
every exchange on the virtual host, so concurrent runs need virtual hosts
of their own (``doc/source/contributor/testing.rst``).
"""
import os
import signal
import socket
import subprocess
import sys
import time
import uuid

import requests
import sqlalchemy as sa

from cyborg.tests.fixtures import servers
from cyborg.tests.functional.bind import env

HEADERS = dict(env.SERVICE, **{'Content-Type': 'application/json'})
API = 'import sys; from cyborg.cmd.api import main; main(sys.argv[1:])'
STOP_TIMEOUT = 15


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class ProcessGroup:
    # Extra environment of every spawned process.
    environ = {}

    def __init__(self, tmp_path, engine, db_url, lines=()):
        self.tmp = tmp_path
        self.engine = engine
        self.port = free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        self.procs = {}
        self.root = tmp_path / 'sys-root'
        self.root.mkdir(exist_ok=True)
        exchange = 'cyborg_test_%s' % uuid.uuid4().hex[:8]
        conf = ['[DEFAULT]', 'transport_url = %s' % servers.url('rabbitmq'),
                'control_exchange = %s' % exchange]
        conf += list(lines)
        conf += ['[database]', 'connection = %s' % db_url,
                 '[api]', 'auth_strategy = noauth', 'host_ip = 127.0.0.1',
                 'port = %d' % self.port]
        self.conf = tmp_path / 'cyborg.conf'
        self.conf.write_text('\n'.join(conf) + '\n')

    def spawn(self, name, argv, host):
        log = open(self.tmp / ('%s.log' % name), 'a')
        host_conf = self.tmp / ('%s.conf' % name)
        host_conf.write_text('[DEFAULT]\nhost = %s\n' % host)
        cmd = [sys.executable] + argv + ['--config-file', str(self.conf),
                                         '--config-file', str(host_conf)]
        self.procs[name] = subprocess.Popen(
            cmd, stdout=log, stderr=subprocess.STDOUT,
            env=dict(os.environ, **self.environ))
        return self.procs[name]

    def api(self, name='api', host='api-1'):
        """Start ``cyborg-api`` and wait until it answers."""
        self.spawn(name, ['-c', API], host)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.procs[name].poll() is None, self.log(name)
            try:
                requests.get(self.url + '/', timeout=5)
                return
            except requests.RequestException:   # not up, or slow to answer
                time.sleep(0.2)
        raise AssertionError('API not ready: %s' % self.log(name))

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
                    proc.wait(STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        self.engine.dispose()

    def http(self, method, path, body=None, timeout=30):
        return requests.request(method, self.url + path, json=body,
                                headers=HEADERS, timeout=timeout)

    def session(self):
        return sa.orm.Session(self.engine)
