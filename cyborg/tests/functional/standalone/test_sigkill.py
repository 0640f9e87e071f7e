"""``kill -9`` under write load, then restart (issue 12, item 4).

A real ``cyborg-standalone`` (SQLite, embedded Placement) takes mixed
writes from several threads - device profiles created and deleted, ARQs
created, bound, unbound, deleted by uuid and by instance - while the test
plays Nova in Placement (an allocation per instance before its bind, given
back when the bind fails or the ARQs are unbound or deleted). At a random
moment the process is SIGKILLed and started again on the same state
directory; ``CYBORG_SIGKILL_ROUNDS`` rounds (20). After each restart, once
the recovery sweep and the reconciliation have each run a cycle:

* no ARQ is left ``BindStarted``, ``Deleting`` or ``UnbindFailed``;
* the attach handles in use are exactly those of the ``Bound`` ARQs;
* every write answered 2xx holds: profiles and ARQs created (201) exist
  unless a delete of them was sent since, deletes answered 204 stay
  deleted;
* Placement holds the bound ARQs' usage: after Nova gives back the
  allocations of instances left without a ``Bound`` ARQ (what it does on
  a ``failed`` event or a delete), the device's usage equals the number
  of ``Bound`` ARQs, and the audit (``cyborg-manage audit``'s code) finds
  no difference between the database and Placement;
* no answer of any round is a 5xx (the restarted process serves the load
  while its start-up work runs), and its log never says ``database is
  locked``.
"""
import os
import random
import sqlite3
import threading
import time
import uuid

import requests
import sqlalchemy as sa

from cyborg import context as cyborg_context
from cyborg.audit import run as audit_run
from cyborg.clients import ksa
from cyborg.clients import placement as placement_client
from cyborg.common import states
from cyborg.db import session
from cyborg.tests.functional.standalone import conftest
from cyborg.tests.functional.standalone import invariants

ROUNDS = int(os.environ.get('CYBORG_SIGKILL_ROUNDS', '20'))
THREADS = 4
LOAD_SECONDS = (0.3, 1.5)           # SIGKILL this long after the restart
PLACEMENT = {'X-Auth-Token': 'admin',
             'OpenStack-API-Version': 'placement 1.39'}
A = '/v2/accelerator_requests'
DPS = '/v2/device_profiles'
BASE = 'sigkill-fpga'
CONFIG = """[DEFAULT]
bind_timeout = 4
periodic_interval = 1
[conductor]
heartbeat_interval = 1
heartbeat_timeout = 3
"""


class Ledger:
    """What the service answered, shared by the load threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.profiles = {}        # name -> uuid, answered 201
        self.profiles_gone = set()    # answered 204
        self.profiles_touched = set()     # a delete was sent
        self.arqs = set()         # answered 201
        self.arqs_gone = set()    # answered 204 (by uuid)
        self.arqs_touched = set()     # a delete (uuid or instance) was sent
        self.instances_gone = set()   # delete by instance answered 204
        self.failures = []        # 5xx answers
        self.answers = 0


class Worker:
    """One load thread: a few ARQs and profiles of its own, in turn."""

    def __init__(self, ledger, rnd):
        self.ledger, self.rnd = ledger, rnd
        self.arqs = {}            # uuid -> instance or None
        self.instances = {}       # instance -> [arq uuids] (bind sent)
        self.profiles = []

    # -- HTTP ------------------------------------------------------------

    def call(self, method, path, body=None):
        resp = requests.request(method, self.url + path, json=body,
                                timeout=30)
        with self.ledger.lock:
            self.ledger.answers += 1
            if resp.status_code >= 500:
                self.ledger.failures.append(
                    (method, path, resp.status_code, resp.text[:300]))
        return resp

    def nova(self, method, consumer, body=None):
        return requests.request(
            method, self.placement + '/allocations/' + consumer,
            json=body, headers=PLACEMENT, timeout=30)

    # -- operations --------------------------------------------------------

    def create_profile(self):
        name = 'p-%s' % uuid.uuid4().hex[:10]
        resp = self.call('POST', DPS, [{'name': name, 'groups': [
            {'resources:FPGA': '1'}]}])
        if resp.status_code == 201:
            with self.ledger.lock:
                self.ledger.profiles[name] = resp.json()['uuid']
            self.profiles.append(name)

    def delete_profile(self):
        if not self.profiles:
            return self.create_profile()
        name = self.profiles.pop(self.rnd.randrange(len(self.profiles)))
        with self.ledger.lock:
            self.ledger.profiles_touched.add(name)
        resp = self.call('DELETE', DPS + '/' + name)
        if resp.status_code == 204:
            with self.ledger.lock:
                self.ledger.profiles_gone.add(name)

    def create_arq(self):
        resp = self.call('POST', A, {'device_profile_name': BASE})
        if resp.status_code == 201:
            uuid_ = resp.json()['arqs'][0]['uuid']
            with self.ledger.lock:
                self.ledger.arqs.add(uuid_)
            self.arqs[uuid_] = None

    def bind(self):
        free = [u for u, i in self.arqs.items() if i is None]
        if not free or len(self.instances) >= 3:
            return self.create_arq()
        arq = self.rnd.choice(free)
        instance = str(uuid.uuid4())
        held = self.nova('PUT', instance, {
            'allocations': {self.rp: {'resources': {'FPGA': 1}}},
            'project_id': uuid.uuid4().hex, 'user_id': uuid.uuid4().hex,
            'consumer_generation': None})
        if held.status_code != 204:
            return
        self.arqs[arq] = instance
        self.instances[instance] = [arq]
        resp = self.call('PATCH', A, {arq: [
            {'op': 'add', 'path': '/hostname', 'value': self.hostname},
            {'op': 'add', 'path': '/device_rp_uuid', 'value': self.rp},
            {'op': 'add', 'path': '/instance_uuid', 'value': instance}]})
        if resp.status_code != 202:
            # Refused (no free handle, ...): Nova gives the device back.
            self.arqs[arq] = None
            del self.instances[instance]
            self.nova('DELETE', instance)

    def _bound_one(self):
        bound = [u for u, i in self.arqs.items() if i is not None]
        return self.rnd.choice(bound) if bound else None

    def unbind(self):
        arq = self._bound_one()
        if arq is None:
            return self.bind()
        instance = self.arqs[arq]
        resp = self.call('PATCH', A, {arq: [
            {'op': 'remove', 'path': '/hostname'}]})
        if resp.status_code == 202:
            self.arqs[arq] = None
            del self.instances[instance]
            self.nova('DELETE', instance)

    def delete_by_instance(self):
        arq = self._bound_one()
        if arq is None:
            return self.delete_by_uuid()
        instance = self.arqs[arq]
        with self.ledger.lock:
            self.ledger.arqs_touched.update(self.instances[instance])
        resp = self.call('DELETE', A + '?instance=' + instance)
        if resp.status_code == 204:
            with self.ledger.lock:
                self.ledger.instances_gone.add(instance)
            for gone in self.instances.pop(instance):
                self.arqs.pop(gone, None)
            self.nova('DELETE', instance)

    def delete_by_uuid(self):
        if not self.arqs:
            return self.create_arq()
        arq = self.rnd.choice(sorted(self.arqs))
        with self.ledger.lock:
            self.ledger.arqs_touched.add(arq)
        resp = self.call('DELETE', A + '?arqs=' + arq)
        if resp.status_code == 204:
            with self.ledger.lock:
                self.ledger.arqs_gone.add(arq)
            instance = self.arqs.pop(arq)
            if instance is not None:
                self.instances.pop(instance, None)
                self.nova('DELETE', instance)

    OPS = (create_profile, delete_profile, create_arq, create_arq, bind,
           bind, unbind, delete_by_instance, delete_by_uuid)

    # -- a round -----------------------------------------------------------

    def resync(self, rows):
        """After a restart: what became of this worker's ARQs (a request
        cut by the kill may or may not have happened)."""
        self.arqs = {u: (rows[u][1] if rows[u][0] == states.BOUND
                         else None)
                     for u in self.arqs if u in rows}
        self.instances = {}
        for u, instance in self.arqs.items():
            if instance is not None:
                self.instances.setdefault(instance, []).append(u)
        # a bind left BindFailed must be unbound before it binds again
        for u in list(self.arqs):
            if rows[u][0] == states.BIND_FAILED:
                self.call('PATCH', A, {u: [
                    {'op': 'remove', 'path': '/hostname'}]})

    def run(self, service, rp, hostname, stop):
        self.url, self.placement = service.url, service.placement_url
        self.rp, self.hostname = rp, hostname
        while not stop.is_set():
            try:
                self.rnd.choice(self.OPS)(self)
            except requests.RequestException:
                return          # the process was killed under us


def _profiles(state_dir):
    with invariants.connect(state_dir) as conn:
        return dict(conn.execute('SELECT name, uuid FROM device_profiles'))


def _runs(state_dir):
    with invariants.connect(state_dir) as conn:
        try:
            return dict(conn.execute('SELECT name, runs FROM periodic_tasks'))
        except sqlite3.OperationalError:
            return {}


def _wait_cycle(state_dir, before, timeout=30):
    """Until the recovery sweep and the reconciliation ran once more."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = _runs(state_dir)
        if all(now.get(job, 0) > before.get(job, 0)
               for job in ('bind-deadlines', 'reconcile')):
            return
        time.sleep(0.2)
    raise AssertionError('no cycle within %ss: %s' % (timeout, now))


def _check_database(state_dir, ledger):
    rows = invariants.check(state_dir)
    with ledger.lock:
        lost = ledger.arqs - ledger.arqs_touched - set(rows)
        assert not lost, 'ARQs answered 201 are gone: %s' % lost
        back = ledger.arqs_gone & set(rows)
        assert not back, 'ARQs answered 204 are back: %s' % back
        back = {u for u, r in rows.items()
                if r[1] in ledger.instances_gone}
        assert not back, 'ARQs of instances deleted (204) are back: %s' % back
        profiles = _profiles(state_dir)
        lost = {n: u for n, u in ledger.profiles.items()
                if n not in ledger.profiles_touched
                and profiles.get(n) != u}
        assert not lost, 'profiles answered 201 are gone: %s' % lost
        back = ledger.profiles_gone & set(profiles)
        assert not back, 'profiles answered 204 are back: %s' % back
    return rows


def _check_placement(service, state_dir, rp, rows):
    """Nova gives back what instances without a Bound ARQ hold, then
    Placement must hold exactly the Bound ARQs."""
    bound = {r[1] for r in rows.values() if r[0] == states.BOUND}
    url = service.placement_url + '/resource_providers/%s' % rp
    held = requests.get(url + '/allocations', headers=PLACEMENT,
                        timeout=30).json()['allocations']
    for consumer in set(held) - bound:
        resp = requests.delete(service.placement_url + '/allocations/' +
                               consumer, headers=PLACEMENT, timeout=30)
        assert resp.status_code == 204, resp.text
    usage = requests.get(url + '/usages', headers=PLACEMENT,
                         timeout=30).json()['usages']
    count = sum(1 for r in rows.values() if r[0] == states.BOUND)
    assert usage.get('FPGA', 0) == count, (usage, count)
    engine = sa.create_engine('sqlite:///%s' % os.path.join(
        state_dir, 'cyborg.sqlite'))
    undo = session.use_engine(engine)
    try:
        client = placement_client.PlacementClient(
            adapter=ksa.token_endpoint_adapter(
                service.placement_url, token='admin',
                service_type='placement'))
        outcome = audit_run.audit(cyborg_context.get_admin_context(),
                                  client)
    finally:
        undo()
        engine.dispose()
    assert [r.to_dict() for r in outcome.rows] == []


def _context(outputs, ledger):
    """The service's log around the first failure's request id."""
    text = '\n'.join(outputs)
    if os.environ.get('CYBORG_SIGKILL_DUMP'):
        with open(os.environ['CYBORG_SIGKILL_DUMP'], 'w') as f:
            f.write(text)
    marker = ledger.failures[0][3].split('(request ')[-1].split(')')[0]
    at = text.find(marker)
    return text[max(0, at - 3000):at + 3000] if at >= 0 else text[-3000:]


def _start(state_dir, conf):
    service = conftest.StandaloneProcess(
        state_dir, args=['--config-file', str(conf)])
    return service.start()


def test_sigkill_under_write_load_then_restart(tmp_path):
    state_dir = str(tmp_path / 'state')
    conf = tmp_path / 'sigkill.conf'
    conf.write_text(CONFIG)
    rnd = random.Random(int(os.environ.get('CYBORG_SIGKILL_SEED', '12')))
    ledger = Ledger()
    workers = [Worker(ledger, random.Random(rnd.random()))
               for _ in range(THREADS)]

    service = _start(state_dir, conf)
    [deployable] = conftest.wait_for_provider(service.url)
    rp = deployable['rp_uuid']
    hostname = requests.get(service.url + '/v2/devices').json()[
        'devices'][0]['hostname']
    resp = requests.post(service.url + DPS, json=[
        {'name': BASE, 'groups': [{'resources:FPGA': '1'}]}])
    assert resp.status_code == 201, resp.text
    outputs = []
    try:
        for round_ in range(ROUNDS):
            stop = threading.Event()
            threads = [threading.Thread(
                target=w.run, args=(service, rp, hostname, stop),
                daemon=True) for w in workers]
            for t in threads:
                t.start()
            time.sleep(rnd.uniform(*LOAD_SECONDS))
            service.kill()
            stop.set()
            for t in threads:
                t.join(60)
            outputs.append(service.output)
            before = _runs(state_dir)
            service = _start(state_dir, conf)
            _wait_cycle(state_dir, before)
            rows = _check_database(state_dir, ledger)
            _check_placement(service, state_dir, rp, rows)
            for w in workers:
                w.url = service.url
                w.resync(rows)
            assert not ledger.failures, (round_, ledger.failures[:5],
                                         _context(outputs, ledger))
    finally:
        service.stop()
        outputs.append(service.output)
    assert ledger.answers > ROUNDS * THREADS
    text = '\n'.join(outputs)
    if os.environ.get('CYBORG_SIGKILL_DUMP'):
        with open(os.environ['CYBORG_SIGKILL_DUMP'], 'w') as f:
            f.write(text)
    print('%d answers; recovered at restart: %d bind(s) failed, %d '
          'delete(s) finished' % (
              ledger.answers, text.count('restarted while the bind'),
              text.count('Finished the interrupted delete')))
    assert 'database is locked' not in text, text[-4000:]
    assert not ledger.failures, ledger.failures[:5]
