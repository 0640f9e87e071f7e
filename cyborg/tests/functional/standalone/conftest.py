"""A real ``cyborg-standalone`` process on a free loopback port."""
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
import requests


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class StandaloneProcess:
    """``cyborg-standalone`` as a child process. Its output is read as it
    comes (a thread), so a long run never fills the pipe and stalls the
    service; :attr:`output` is what it printed so far."""

    def __init__(self, state_dir, args=()):
        self.state_dir = str(state_dir)
        self.args = list(args)
        self.port = free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        self.placement_port = free_port()
        self.placement_url = 'http://127.0.0.1:%d' % self.placement_port
        self.proc = None
        self._lines = []
        self._drain = None

    @property
    def output(self):
        return ''.join(self._lines)

    def start(self, timeout=60):
        cmd = [sys.executable, '-m', 'cyborg.cmd.standalone',
               '--state-dir', self.state_dir,
               '--bind-port', str(self.port),
               '--placement-port', str(self.placement_port)] + self.args
        # PYTHONFAULTHANDLER: a stop that hangs dumps every thread's stack
        # (SIGABRT, see stop()) into the output the test reports
        env = dict(os.environ, PYTHONUNBUFFERED='1', PYTHONFAULTHANDLER='1')
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True,
                                     env=env)
        self._drain = threading.Thread(
            target=lambda: self._lines.extend(iter(
                self.proc.stdout.readline, '')), daemon=True)
        self._drain.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self._drain.join(10)
                raise RuntimeError('standalone exited: %s' % self.output)
            try:
                if requests.get(self.url + '/', timeout=1).ok:
                    return self
            except requests.ConnectionError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError('standalone did not answer in %ss' % timeout)

    def kill(self):
        """SIGKILL: no clean-up of any kind."""
        self.proc.kill()
        self.proc.wait()
        if self._drain is not None:
            self._drain.join(10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.send_signal(signal.SIGABRT)
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
                if self._drain is not None:
                    self._drain.join(10)
                raise AssertionError(
                    'cyborg-standalone did not stop within 30s of SIGINT; '
                    'its threads then:\n%s' % self.output[-20000:])
        if self._drain is not None:
            self._drain.join(10)
        return self.proc.returncode if self.proc else None


def wait_for_provider(url, timeout=60):
    """The deployables once the conductor has stored their provider
    (rows are committed first, the provider uuid after Placement)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        deployables = requests.get(url + '/v2/deployables').json()[
            'deployables']
        if deployables and all(d['rp_uuid'] for d in deployables):
            return deployables
        time.sleep(0.2)
    raise AssertionError('no provider stored within %ss' % timeout)


@pytest.fixture
def standalone(tmp_path):
    service = StandaloneProcess(tmp_path / 'state').start()
    yield service
    service.stop()
