"""No service process loads eventlet (issue: oslo.messaging's server
imported oslo.service, whose default backend is eventlet; oslo.utils
probes for it). cyborg-api, cyborg-conductor, cyborg-agent and
cyborg-standalone run as real processes; each process of each (launcher
master and workers) reports its ``sys.modules``. No warning about eventlet
appears in their output either (nothing filters it any more)."""
import json
import os
import sys
import time

import pytest

from cyborg.tests.fixtures import placement as placement_fixture
from cyborg.tests.functional.serving import servers

HOST = 'threads-only-compute'


def _spawn(dep, module, *args):
    out = dep.tmp / 'modules'
    out.mkdir(exist_ok=True)
    return dep._spawn([sys.executable, '-m',
                       'cyborg.tests.functional.serving.report_modules',
                       str(out), module] + list(args))


def _wait_text(dep, text, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in dep.output():
            return
        assert dep.proc.poll() is None, dep.output()
        time.sleep(0.2)
    raise AssertionError('%r not seen:\n%s' % (text, dep.output()))


def _reports(dep, expected_processes):
    """{pid: eventlet modules} once every process reported twice."""
    out = dep.tmp / 'modules'
    live = [dep.proc.pid] + dep.pids()
    assert len(live) >= expected_processes, live
    time.sleep(1.2)
    reports = {}
    for pid in live:
        path = out / str(pid)
        assert path.exists(), 'process %d did not report' % pid
        reports[pid] = json.loads(path.read_text())
    return reports


def _check(dep, expected_processes):
    reports = _reports(dep, expected_processes)
    assert all(mods == [] for mods in reports.values()), reports
    assert 'Eventlet is deprecated' not in dep.output(), dep.output()[-2000:]


@pytest.fixture
def dep(tmp_path):
    d = servers.Deployment(tmp_path)
    yield d
    d.stop()


def test_cyborg_api(dep):
    _spawn(dep, 'cyborg.cmd.api', '--config-file', str(dep.conf))
    dep.wait_ready()
    _check(dep, 3)                    # master + 2 workers


def test_cyborg_conductor(dep):
    _spawn(dep, 'cyborg.cmd.conductor', '--config-file', str(dep.conf))
    _wait_text(dep, 'cyborg-conductor running as')
    _check(dep, 2)                    # master + service process


def test_cyborg_agent(dep, tmp_path):
    with placement_fixture.PlacementFixture(real_server=True) as placement:
        placement.create_compute_node(HOST)
        extra = tmp_path / 'agent.conf'
        extra.write_text(
            '[DEFAULT]\nhost = %s\n[agent]\nenabled_drivers = fake_driver\n'
            '[placement]\nauth_type = admin_token\nendpoint = %s\n'
            'endpoint_override = %s\ntoken = admin\n'
            % (HOST, placement.endpoint, placement.endpoint))
        _spawn(dep, 'cyborg.cmd.agent', '--config-file', str(dep.conf),
               '--config-file', str(extra))
        _wait_text(dep, 'started with drivers fake_driver')
        _check(dep, 2)


def test_cyborg_standalone(dep, tmp_path):
    _spawn(dep, 'cyborg.cmd.standalone', '--state-dir',
           str(tmp_path / 'state'), '--bind-port', str(dep.port),
           '--placement-port', str(servers.free_port()))
    dep.wait_ready()
    _wait_text(dep, 'cyborg standalone is running')
    _check(dep, 1)                    # everything in one process
    assert os.path.exists(tmp_path / 'state' / 'cyborg.sqlite')
