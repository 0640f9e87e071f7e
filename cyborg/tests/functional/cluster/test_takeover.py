"""A conductor SIGKILLed mid-bind: a live one fails its binds within the
heartbeat timeout plus one cycle, long before ``bind_timeout``.

Real processes on RabbitMQ and MariaDB: ``cyborg-api``, two
``cyborg-conductor`` (heartbeat every 1 s, dead after 3 s; ``bind_timeout``
60 s) and an agent that takes 8 s to program an FPGA. Four programming
binds go through the API (202 at once; RabbitMQ spreads them over both
conductors), then the conductor holding the first is killed. Its binds
become ``BindFailed`` with a reason naming it, handles released and Nova
told ``failed``, within seconds; the survivor's binds end ``Bound``.
"""
import time
import uuid

import pytest
import sqlalchemy as sa

from cyborg.common import states
from cyborg.db import models
from cyborg.tests.fixtures import nova
from cyborg.tests.functional.bind import env
from cyborg.tests.functional.bind import fpga_backends
from cyborg.tests.functional.cluster import harness

HEARTBEAT_TIMEOUT = 3
BIND_TIMEOUT = 60


def _bind_body(arqs, instance, rp):
    return {a['uuid']: [
        {'path': '/hostname', 'op': 'add', 'value': 'compute-1'},
        {'path': '/device_rp_uuid', 'op': 'add', 'value': rp},
        {'path': '/instance_uuid', 'op': 'add', 'value': instance}]
        for a in arqs}


def _arqs(procs):
    with procs.session() as s:
        return {r.instance_uuid: r for r in s.scalars(
            sa.select(models.ExtArq))}


@harness.needs_rabbit
def test_killed_conductor_binds_fail_within_heartbeat_timeout(tmp_path):
    db = harness.server_db('mysql')
    fake_nova = nova.FakeNova()
    fake_nova.__enter__()
    backends = fpga_backends.Backends(real_server=True)
    backends.setUp()
    procs = harness.Processes(
        tmp_path, db.url_string(), fake_nova,
        heartbeat_timeout=HEARTBEAT_TIMEOUT,
        extra=['[DEFAULT]', 'bind_timeout = %d' % BIND_TIMEOUT]
        + backends.conf_lines())
    try:
        procs.agent(delay=8)
        procs.conductor('cond-a', wait=False)
        procs.conductor('cond-b', wait=False)
        procs.wait_log('cond-a', 'cyborg-conductor running as')
        procs.wait_log('cond-b', 'cyborg-conductor running as')
        procs.api()
        with procs.session() as s:
            rp = backends.provider(env.add_device(s, handles=8,
                                                  agent='agent-1'))
            s.commit()
        resp = procs.http('POST', '/v2/device_profiles', [{
            'name': 'prog', 'groups': [{
                'resources:FPGA': '1',
                'accel:bitstream_id': backends.image()}]}])
        assert resp.status_code == 201, resp.text
        servers = []
        for _ in range(4):
            arqs = procs.http('POST', '/v2/accelerator_requests', {
                'device_profile_name': 'prog'}).json()['arqs']
            servers.append(str(uuid.uuid4()))
            resp = procs.http('PATCH', '/v2/accelerator_requests',
                              _bind_body(arqs, servers[-1], rp))
            assert resp.status_code == 202, resp.text
        rows = _arqs(procs)
        assert {r.state for r in rows.values()} == {states.BIND_STARTED}
        owners = {s: rows[s].state_reason.rsplit(' ', 1)[1]
                  for s in servers}
        victim = owners[servers[0]]
        assert victim in ('cond-a', 'cond-b')
        procs.kill(victim)
        killed_at = time.monotonic()
        theirs = [s for s in servers if owners[s] == victim]
        ours = [s for s in servers if owners[s] != victim]
        while True:
            rows = _arqs(procs)
            if all(rows[s].state == states.BIND_FAILED for s in theirs):
                break
            assert time.monotonic() - killed_at < 20, {
                s: (r.state, r.state_reason) for s, r in rows.items()}
            time.sleep(0.2)
        took = time.monotonic() - killed_at
        # heartbeat timeout + one takeover cycle (+ slack for a busy box)
        assert took < HEARTBEAT_TIMEOUT + 1 + 4 < BIND_TIMEOUT / 5, took
        for server in theirs:
            reason = rows[server].state_reason
            assert 'conductor %s stopped or missed its heartbeats' \
                % victim in reason, reason
            assert rows[server].attach_handle_id is None
        events = fake_nova.wait_for_events(len(theirs))
        assert {(e['server_uuid'], e['status']) for e in events} >= {
            (s, 'failed') for s in theirs}
        deadline = time.monotonic() + 30
        while any(_arqs(procs)[s].state == states.BIND_STARTED
                  for s in ours):
            assert time.monotonic() < deadline
            time.sleep(0.2)
        rows = _arqs(procs)
        assert all(rows[s].state == states.BOUND for s in ours), {
            s: (rows[s].state, rows[s].state_reason) for s in ours}
        with procs.session() as s:
            assert env.handles_in_use(s) == len(ours)
        print('takeover after %.1f s' % took)
    finally:
        procs.stop()
        backends.cleanUp()
        fake_nova.__exit__(None, None, None)
        db.cleanUp()


pytestmark = pytest.mark.filterwarnings('ignore::DeprecationWarning')
