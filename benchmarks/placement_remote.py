"""Placement in worker processes of its own, for the benchmarks.

``RemotePlacement(workers)`` (a fixture): a throw-away database on the
MariaDB/MySQL test server, Placement's schema created in it, then
``benchmarks/placement_server.py`` with ``workers`` gunicorn processes on
a free loopback port. Offers what the benchmarks use of the in-process
``PlacementFixture``: ``endpoint``, ``adapter``, ``new_client()`` and
``create_compute_node(name)``.
"""
import os
import socket
import subprocess
import sys
import time
import uuid

import fixtures

from cyborg import placement_embedded
from cyborg.clients import ksa
from cyborg.clients import placement as placement_client
from cyborg.tests.fixtures import database
from cyborg.tests.fixtures import servers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class RemotePlacement(fixtures.Fixture):
    def __init__(self, workers):
        super().__init__()
        self.workers = workers

    def _setUp(self):
        problem = servers.problem('mysql')
        if problem:
            raise RuntimeError('--server-workers needs the MySQL test '
                               'server (tools/test-setup.sh): %s' % problem)
        db = self.useFixture(database.ThrowawayDatabase(servers.url('mysql')))
        url = db.url.render_as_string(hide_password=False)
        placement_embedded.PlacementApp(url, schema='create').close()
        port = _free_port()
        env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep
                   + os.environ.get('PYTHONPATH', ''))
        proc = subprocess.Popen(
            [sys.executable, '-m', 'benchmarks.placement_server', url,
             str(port), str(self.workers)], cwd=ROOT, env=env)
        self.addCleanup(self._stop, proc)
        self.endpoint = 'http://127.0.0.1:%d' % port
        self.adapter = ksa.token_endpoint_adapter(
            self.endpoint, token=placement_embedded.ADMIN_TOKEN,
            service_type='placement',
            roles=placement_embedded.SERVICE_ROLES)
        self._wait(proc)

    def _wait(self, proc, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError('Placement server exited: %s'
                                   % proc.returncode)
            try:
                if self.adapter.get('/', raise_exc=False).status_code == 200:
                    return
            except Exception:  # noqa: BLE001 - not listening yet
                pass
            time.sleep(0.2)
        raise RuntimeError('Placement server did not answer in %d s'
                           % timeout)

    @staticmethod
    def _stop(proc):
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def new_client(self, **kwargs):
        return placement_client.PlacementClient(adapter=self.adapter,
                                                **kwargs)

    def create_compute_node(self, name):
        resp = self.adapter.post(
            '/resource_providers', json={'name': name,
                                         'uuid': str(uuid.uuid4())},
            headers={'OpenStack-API-Version': 'placement 1.20'},
            raise_exc=False)
        assert resp.status_code == 200, (resp.status_code, resp.text)
        return resp.json()
