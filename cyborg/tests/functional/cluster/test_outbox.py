"""The outbox of Nova events (``nova_events``, ``cluster/outbox.py``).

On SQLite, MariaDB and PostgreSQL (the servers are skipped locally when
they do not answer, required in CI), against the recording Nova:

* a bind's event row commits with its state change and only with it; a
  commit hands it to the sender of its process, which posts it at once
  (its poll interval here is 30 s); a Nova that is down fails no bind;
* every due event leaves in one POST (up to the batch size);
* a 503 is retried with exponential backoff, then delivered; a stopped
  sender leaves the rows to the next one;
* in a 207, 404 and 422 are final for their event, a 500 retries that
  event alone;
* a sender process SIGKILLed in the middle of its POST: another sender
  delivers the rows once the lease has expired, not before;
* two senders draining one table deliver every event exactly once.
"""
import datetime
import subprocess
import sys
import time
import uuid

from oslo_utils import timeutils
import pytest
import sqlalchemy as sa

from cyborg import context
from cyborg.clients import ksa
from cyborg.clients import nova as nova_client
from cyborg.common import states
from cyborg.conductor.cluster import outbox
from cyborg.db import models
from cyborg.db.queries import binding as bind_db
from cyborg.db.queries import outbox as outbox_db
from cyborg.tests.fixtures import database
from cyborg.tests.fixtures import nova
from cyborg.tests.fixtures import services
from cyborg.tests.functional.bind import env
from cyborg.tests.functional.bind.test_concurrency import ServerDatabase

SERVER = '6f2c43b1-5d1e-4b8e-9c1a-0d6e2f7a9b10'
LEASE = 3


@pytest.fixture(params=['sqlite', 'mysql', 'postgresql'])
def db(request):
    """The service's database: ``url``, ``session()``."""
    env.init_conf()
    if request.param == 'sqlite':
        with database.Database() as fix:
            yield fix
    else:
        with ServerDatabase(request.param) as fix:
            fix.url = fix.throwaway.url_string()
            yield fix


@pytest.fixture
def ctx():
    return context.get_admin_context()


def _add(ctx, count, server=SERVER):
    """``count`` events committed in one transaction; their tags."""
    tags = [str(uuid.uuid4()) for _ in range(count)]
    bind_db.run(ctx, outbox_db.add,
                [nova_client.event(server, t, 'completed') for t in tags])
    return tags


def _rows(db):
    with db.session() as s:
        return list(s.scalars(sa.select(models.NovaEvent)
                              .order_by(models.NovaEvent.id)))


def _wait(check, timeout=20.0, what='condition'):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, 'timed out waiting for ' + what
        time.sleep(0.05)


def _sender(fake, host='cond-x', **kwargs):
    """A sender posting to ``fake`` (short delays unless given)."""
    def client():
        return nova_client.NovaClient(adapter=ksa.token_endpoint_adapter(
            fake.url, service_type='compute'))
    kwargs.setdefault('poll_interval', 0.2)
    kwargs.setdefault('first_delay', 0.2)
    kwargs.setdefault('max_delay', 1.0)
    return outbox.Sender(host, client_factory=client, **kwargs).start()


class _Recorder:
    """A receiver of hand-overs that sends nothing."""
    owner, lease = 'recorder', LEASE

    def __init__(self):
        self.handed = []

    def handoff(self, claim_id, rows):
        self.handed.append((claim_id, rows))


def _tags(body):
    return [e['tag'] for e in body['events']]


def _state(db, uuid_):
    with db.session() as s:
        return s.scalar(sa.select(models.ExtArq.state)
                        .where(models.ExtArq.uuid == uuid_))


def test_bind_event_commits_with_the_state_change(db, ctx):
    with services.Conductor(), nova.FakeNova() as fake:
        fake.use(sender=False)
        client = env.Client(services.api_app())
        try:
            with db.session() as s:
                rp = env.add_device(s, handles=4)
            client.profile('one', [{'resources:FPGA': '1'}])
            # Nova down: the bind succeeds; its event waits in the table.
            fake.down()
            arq = client.create_arqs('one')[0]
            server = str(uuid.uuid4())
            resp = client.bind([arq], server, [rp])
            assert resp.status_int == 202, resp.text
            assert _state(db, arq['uuid']) == states.BOUND
            assert [(r.server_uuid, r.arq_uuid, r.status, r.attempts)
                    for r in _rows(db)] == [
                (server, arq['uuid'], 'completed', 0)]

            # A resolving transaction that rolls back leaves neither the
            # move nor the event, and hands nothing over; its commit
            # writes the row claimed by this process's sender and hands
            # it over.
            recorder = _Recorder()
            outbox_db.subscribe(recorder)
            try:
                arq2 = client.create_arqs('one')[0]
                server2 = str(uuid.uuid4())
                works = bind_db.run(ctx, bind_db.reserve, [(arq2['uuid'], {
                    'hostname': 'compute-1', 'device_rp_uuid': rp,
                    'instance_uuid': server2})], 'test-host')

                def resolve_then_fail(c):
                    bind_db.mark_bound(c, works)
                    raise RuntimeError('boom')
                with pytest.raises(RuntimeError):
                    bind_db.run(ctx, resolve_then_fail)
                assert _state(db, arq2['uuid']) == states.BIND_STARTED
                assert len(_rows(db)) == 1 and recorder.handed == []
                assert bind_db.resolve(ctx, works) == (True, [])
                assert _state(db, arq2['uuid']) == states.BOUND
            finally:
                outbox_db.unsubscribe(recorder)
            (claim_id, handed), = recorder.handed
            assert [(r.arq_uuid, r.status) for r in handed] == [
                (arq2['uuid'], 'completed')]
            rows = _rows(db)
            assert [(r.arq_uuid, r.claimed_by, r.claim_id) for r in rows] \
                == [(arq['uuid'], None, None),
                    (arq2['uuid'], 'recorder', claim_id)]
            assert bind_db.run(ctx, outbox_db.release, [claim_id]) == 1

            # Nova back: a sender delivers both, deletes the rows; the
            # next bind's event leaves at once, not at the 30 s poll.
            fake.up()
            sender = _sender(fake, poll_interval=30)
            try:
                _wait(lambda: not _rows(db), what='delivery')
                assert _tags(fake.bodies()[0]) == [arq['uuid'],
                                                   arq2['uuid']]
                arq3 = client.create_arqs('one')[0]
                start = time.monotonic()
                resp = client.bind([arq3], str(uuid.uuid4()), [rp])
                assert resp.status_int == 202, resp.text
                fake.wait_for_events(3, timeout=10)
                assert time.monotonic() - start < 10
                assert _tags(fake.bodies()[-1]) == [arq3['uuid']]
            finally:
                sender.stop()
        finally:
            env.clear_api_conf()


def test_due_events_leave_in_one_post(db, ctx):
    tags = _add(ctx, 40)
    with nova.FakeNova() as fake:
        sender = _sender(fake, workers=4)
        try:
            _wait(lambda: not _rows(db), what='delivery')
        finally:
            sender.stop()
        assert [_tags(b) for b in fake.bodies()] == [tags]
        assert (sender.posts, sender.delivered) == (1, 40)
        # Past the batch size, the backlog is split (and sent in parallel).
        more = _add(ctx, 40)
        sender = _sender(fake, batch_size=15)
        try:
            _wait(lambda: not _rows(db), what='delivery')
        finally:
            sender.stop()
        bodies = fake.bodies()[1:]
        assert sorted(len(b['events']) for b in bodies) == [10, 15, 15]
        assert sorted(t for b in bodies for t in _tags(b)) == sorted(more)


def test_5xx_is_retried_with_backoff_then_delivered(db, ctx):
    tags = _add(ctx, 2)
    with nova.FakeNova() as fake:
        fake.mode = '503'
        sender = _sender(fake, first_delay=0.3, max_delay=5)
        try:
            _wait(lambda: len(fake.bodies()) >= 3, what='3 attempts')
            rows = _rows(db)
            assert all(r.attempts >= 2 for r in rows), rows
            assert all('503' in r.last_error for r in rows)
            fake.mode = 'ok'
            _wait(lambda: not _rows(db), what='delivery')
        finally:
            sender.stop()
        first, second = (fake.times[1] - fake.times[0],
                         fake.times[2] - fake.times[1])
        # 0.3 s then 0.6 s (MySQL rounds retry times up to a second)
        assert first >= 0.27 and second >= 0.54, (first, second)
        assert all(_tags(b) == tags for b in fake.bodies())
        assert sender.delivered == 2 and sender.failed_posts >= 3


def test_stop_leaves_the_rows_to_the_next_sender(db, ctx):
    with nova.FakeNova() as fake:
        fake.down()
        sender = _sender(fake)
        tags = _add(ctx, 3)
        try:
            _wait(lambda: sender.failed_posts >= 1, what='a failed POST')
        finally:
            sender.stop(flush=1.0)
        rows = _rows(db)
        assert [r.arq_uuid for r in rows] == tags
        assert all(r.claim_id is None and r.attempts >= 1 for r in rows)
        fake.up()
        after_restart = _sender(fake, host='cond-x')
        try:
            _wait(lambda: not _rows(db), timeout=20, what='delivery')
        finally:
            after_restart.stop()
        assert [e['tag'] for e in fake.events()] == tags


def test_207_settles_each_event_on_its_own(db, ctx):
    a, b, c, d = _add(ctx, 4)
    with nova.FakeNova() as fake:
        fake.codes = {b: 500, c: 422, d: 404}
        sender = _sender(fake, first_delay=0.5)
        try:
            _wait(lambda: len(_rows(db)) == 1, what='a, c, d settled')
            (left,) = _rows(db)
            assert (left.arq_uuid, left.attempts) == (b, 1)
            fake.codes = {}
            _wait(lambda: not _rows(db), what='b delivered')
        finally:
            sender.stop()
        assert [_tags(body) for body in fake.bodies()] == [[a, b, c, d], [b]]


_DOOMED = '''
import sys, time
from cyborg.conf import CONF
CONF([], project='cyborg', default_config_files=[], default_config_dirs=[])
CONF.set_override('connection', sys.argv[1], group='database')
CONF.set_override('endpoint_override', sys.argv[2], group='nova')
from cyborg.db import session
session.configure()
from cyborg.conductor.cluster import outbox
outbox.Sender('doomed', lease=int(sys.argv[3]), poll_interval=0.1).start()
time.sleep(120)
'''


def test_a_dead_senders_rows_are_sent_after_its_lease(db, ctx):
    tags = _add(ctx, 5)
    with nova.FakeNova() as fake:
        fake.delay = 60         # the doomed sender's POST never returns
        child = subprocess.Popen([sys.executable, '-c', _DOOMED, db.url,
                                  fake.url, str(LEASE)])
        try:
            _wait(lambda: len(fake.bodies()) == 1, timeout=60,
                  what="the doomed sender's POST")
            rows = _rows(db)
            assert {r.claimed_by for r in rows} == {'doomed'}
            expires = max(r.claim_expires_at for r in rows)
            child.kill()
            child.wait()
            fake.delay = 0
            killed_mono, killed_utc = time.monotonic(), timeutils.utcnow()
            survivor = _sender(fake, host='survivor')
            try:
                _wait(lambda: not _rows(db), timeout=LEASE + 20,
                      what="the survivor's delivery")
            finally:
                survivor.stop()
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
    bodies = fake.bodies()
    assert [_tags(b) for b in bodies] == [tags, tags]
    assert survivor.delivered == 5
    not_before = killed_mono + (expires - killed_utc).total_seconds()
    assert fake.times[1] >= not_before - 0.05, (fake.times[1], not_before)


def test_two_senders_deliver_each_event_once(db, ctx):
    with nova.FakeNova() as fake:
        fake.delay = 0.01
        tags = []
        for _ in range(10):     # in the table: both pollers claim them
            tags += _add(ctx, 10)
        first = _sender(fake, host='cond-a', batch_size=7)
        second = _sender(fake, host='cond-b', batch_size=7)
        try:
            for _ in range(10):     # committed meanwhile: handed over
                tags += _add(ctx, 10)
            _wait(lambda: not _rows(db), timeout=60, what='delivery')
        finally:
            first.stop()
            second.stop()
    sent = [e['tag'] for e in fake.events()]
    assert sorted(sent) == sorted(tags)            # each exactly once
    assert first.delivered + second.delivered == 200
    assert first.posts + second.posts == len(fake.bodies())


def test_rows_claimed_by_a_live_sender_are_not_taken(db, ctx):
    """The lease itself, without a sender: a claim blocks the rows until
    it expires, for every other claimer."""
    tags = _add(ctx, 3)
    claim_id, rows = bind_db.run(ctx, outbox_db.claim, 'a', LEASE, 10)
    assert [r.arq_uuid for r in rows] == tags
    assert bind_db.run(ctx, outbox_db.claim, 'b', LEASE, 10)[1] == []
    with db.session() as s:        # as if the lease had run out
        s.execute(sa.update(models.NovaEvent).values(
            claim_expires_at=timeutils.utcnow() - datetime.timedelta(
                seconds=1)))
        s.commit()
    other, rows = bind_db.run(ctx, outbox_db.claim, 'b', LEASE, 10)
    assert [r.arq_uuid for r in rows] == tags
    # the first claimer's late settlement changes nothing any more
    done = [(claim_id, set(tags), {}, None)]
    assert bind_db.run(ctx, outbox_db.settle, done) == 0
    done = [(other, set(tags), {}, None)]
    assert bind_db.run(ctx, outbox_db.settle, done) == 3
