"""Races with one winner and clear losers (issue 12), driven by real
threads through the API on SQLite, and on MariaDB and PostgreSQL when
their CI servers answer.

* Ten parallel deletes of one ARQ: one conditional write decides; exactly
  one 204, the others 404, and the ARQ is gone.
* A device profile deleted while ARQs are created from it: each create is
  a 201 or a 404 (the profile is gone), the delete a 204 or a 409 (the
  profile is used), never a 500; the database agrees with the answers.
"""
import collections
import threading
import uuid

import pytest
import sqlalchemy as sa

from cyborg.db import models
from cyborg.tests.fixtures import services
from cyborg.tests.functional.bind import env
from cyborg.tests.functional.bind import test_concurrency

backend = test_concurrency.backend      # sqlite, mysql, postgresql

A = '/v2/accelerator_requests'
DPS = '/v2/device_profiles'


@pytest.fixture
def client(backend):
    with services.Conductor():
        client = env.Client(services.api_app())
        client.session = backend
        try:
            yield client
        finally:
            env.clear_api_conf()


def _together(count, fn):
    """Run ``fn(i)`` in ``count`` threads released at once; results."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(i):
        barrier.wait()
        results[i] = fn(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert None not in results, 'a thread did not finish'
    return results


@pytest.mark.parametrize('form', ['query', 'path'])
def test_ten_deletes_of_one_arq(client, form):
    client.profile('one-gpu', [{'resources:GPU': '1'}])
    for _round in range(3):
        arq = client.create_arqs('one-gpu')[0]['uuid']
        path = A + ('?arqs=' + arq if form == 'query' else '/' + arq)
        answers = _together(10, lambda i, path=path: env.api_call(
            client.app, 'DELETE', path))
        codes = sorted(r.status_int for r in answers)
        assert codes == [204] + [404] * 9, [r.text for r in answers]
        assert all('ExtArq not found with uuid=%s' % arq in r.text
                   for r in answers if r.status_int == 404)
        with client.session() as s:
            assert s.scalar(sa.select(sa.func.count()).select_from(
                models.ExtArq).where(models.ExtArq.uuid == arq)) == 0


def test_profile_deleted_while_arqs_are_created(client):
    creators = 6
    for round_ in range(5):
        name = 'racy-%d' % round_
        client.profile(name, [{'resources:GPU': '1'}])

        def act(i, name=name):
            if i == creators:
                return env.api_call(client.app, 'DELETE',
                                    DPS + '?value=' + name)
            return env.api_call(client.app, 'POST', A,
                                {'device_profile_name': name})

        answers = _together(creators + 1, act)
        deleted = answers[creators]
        created = collections.Counter(r.status_int
                                      for r in answers[:creators])
        texts = [r.text for r in answers]
        assert set(created) <= {201, 404}, texts
        assert deleted.status_int in (204, 409), texts
        with client.session() as s:
            profile = s.scalar(sa.select(models.DeviceProfile.id).where(
                models.DeviceProfile.name == name))
            arqs = s.scalar(sa.select(sa.func.count()).select_from(
                models.ExtArq).join(models.DeviceProfile).where(
                    models.DeviceProfile.name == name))
        if deleted.status_int == 204:
            assert created == {404: creators}, texts
            assert profile is None
        else:
            assert created[201] >= 1, texts
            assert profile is not None
            assert 'is in use' in deleted.text or name in deleted.text
        assert arqs == created[201]


def test_delete_by_instance_racing_a_bind(client):
    """``DELETE ?instance=`` and the bind of an ARQ to that instance,
    together: the delete is a 204 (idempotent); the bind completes (202,
    the ARQ ``Bound``, when it came first and the delete found nothing,
    or the delete came after and removed it) or loses with the contract's
    409/404 (the ARQ was being deleted), never a 5xx; no handle is held
    without a ``Bound`` ARQ."""
    with client.session() as s:
        rp = env.add_device(s, handles=16)
    client.profile('race-bind', [{'resources:FPGA': '1'}])
    outcomes = collections.Counter()
    for _round in range(8):
        arq = client.create_arqs('race-bind')[0]['uuid']
        instance = str(uuid.uuid4())

        def act(i, arq=arq, instance=instance):
            if i == 0:
                return env.api_call(client.app, 'DELETE',
                                    A + '?instance=' + instance)
            return env.api_call(client.app, 'PATCH', A, {arq: [
                {'op': 'add', 'path': '/hostname', 'value': 'compute-1'},
                {'op': 'add', 'path': '/device_rp_uuid', 'value': rp},
                {'op': 'add', 'path': '/instance_uuid', 'value': instance}]})

        deleted, bound = _together(2, act)
        texts = [deleted.text, bound.text]
        assert deleted.status_int == 204, texts
        assert bound.status_int in (202, 404, 409), texts
        with client.session() as s:
            row = s.execute(sa.select(
                models.ExtArq.state, models.ExtArq.attach_handle_id).where(
                    models.ExtArq.uuid == arq)).first()
            in_use = s.scalar(sa.select(sa.func.count()).select_from(
                models.AttachHandle).where(
                    models.AttachHandle.in_use.is_(True)))
            bound_rows = s.scalar(sa.select(sa.func.count()).select_from(
                models.ExtArq).where(models.ExtArq.state == 'Bound'))
        assert in_use == bound_rows, (texts, row)
        if row is None:
            outcomes['deleted'] += 1
        else:
            assert row.state in ('Bound', 'Initial'), (texts, row)
            assert (row.state == 'Bound') == (bound.status_int == 202) \
                or bound.status_int == 202, (texts, row)
            outcomes[row.state] += 1
    assert sum(outcomes.values()) == 8
