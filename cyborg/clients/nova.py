"""Nova: the ``accelerator-request-bound`` external events (internals §5.5)
and the owner of a server (the ARQ ``project_id`` back-fill, §1.3, §11.2).

:class:`NovaClient` sends the events, ``POST /os-server-external-events``
at compute microversion 2.82, with a keystoneauth adapter built from
``[nova]`` (service credentials with the ``service`` role);
:func:`server_project` reads ``GET /servers/{id}`` at the same microversion
for the server's ``tenant_id``. With ``[nova] endpoint_override`` and no
``auth_type`` it sends unauthenticated requests (tests, standalone); with
neither, notifications are disabled and dropped with a warning, and
:func:`server_project` raises ``NovaNotConfigured``.

:class:`Notifier` decouples binds from Nova (decision D3.10): ``notify``
queues the events and returns; one background thread sends them and,
when Nova cannot take them (connection error, 5xx, 401/403/408/409/429,
or a 207 whose events carry a 5xx code), retries with exponential backoff
(1 s doubling to 60 s) for up to ``max_age`` seconds (10 minutes, twice
Nova's default ``arq_binding_timeout``), logging every failure. A 200, a
207 whose codes are 422 (the server is not on a host yet: normal for
instant binds) or 404 (unknown server), and other 4xx answers end the
attempt. The queue is **in memory**: events still queued when the
conductor stops are lost (logged at stop); Nova's compute then reads the
ARQs' states itself (``GET ?instance=``), which covers instant binds.
"""
import heapq
import itertools
import logging
import threading
import time

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import session as ks_session

from cyborg.clients import ksa
from cyborg.common import exception
from cyborg.conf import CONF

LOG = logging.getLogger(__name__)

MICROVERSION = '2.82'
EVENT_NAME = 'accelerator-request-bound'
PATH = '/os-server-external-events'
HEADERS = {'OpenStack-API-Version': 'compute ' + MICROVERSION,
           'X-OpenStack-Nova-API-Version': MICROVERSION,
           'Accept': 'application/json'}
RETRY_STATUSES = frozenset({401, 403, 408, 409, 429})


def event(server_uuid, arq_uuid, status):
    """One event body entry, keys in Nova's documented order."""
    return {'name': EVENT_NAME, 'server_uuid': server_uuid,
            'tag': arq_uuid, 'status': status}


def _adapter_from_conf(conf):
    group = conf.nova
    auth = ksa.load_auth('nova', conf)
    if auth is None and not group.endpoint_override:
        return None
    if auth is None:
        session = ks_session.Session(timeout=group.timeout)
        return ksa.adapter_from_conf('nova', conf, session=session)
    return ksa.adapter_from_conf('nova', conf, auth=auth)


def adapter_or_raise(conf=None, purpose='ask Nova about servers'):
    """The ``[nova]`` adapter; :class:`~cyborg.common.exception.
    NovaNotConfigured` when ``[nova]`` has neither auth options nor an
    ``endpoint_override`` (when the notifier drops events)."""
    adapter = _adapter_from_conf(conf or CONF)
    if adapter is None:
        raise exception.NovaNotConfigured(purpose=purpose)
    return adapter


def server_project(server_uuid, adapter=None):
    """The ``tenant_id`` of server ``server_uuid``; None when Nova answers
    404. Any other answer, an unreachable Nova or a body without a
    ``tenant_id`` raise :class:`~cyborg.common.exception.NovaRequestFailed`.
    """
    if adapter is None:
        adapter = adapter_or_raise()
    path = '/servers/%s' % server_uuid
    try:
        resp = adapter.get(path, headers=HEADERS, raise_exc=False)
    except ks_exc.ClientException as exc:
        raise exception.NovaRequestFailed(
            method='GET', path=path, detail='could not reach Nova: %s' % exc)
    if resp.status_code == 404:
        return None
    if resp.status_code != 200:
        raise exception.NovaRequestFailed(
            method='GET', path=path, detail='HTTP %s: %s' % (
                resp.status_code, resp.text[:300]))
    try:
        project = resp.json()['server']['tenant_id']
    except (ValueError, KeyError, TypeError):
        project = None
    if not isinstance(project, str) or not project:
        raise exception.NovaRequestFailed(
            method='GET', path=path,
            detail='no tenant_id in the answer: %s' % resp.text[:300])
    return project


class Retry(Exception):
    """Nova did not take (some of) the events; try these again."""

    def __init__(self, reason, events):
        super().__init__(reason)
        self.events = events


class NovaClient:
    """``POST /os-server-external-events`` and nothing else."""

    def __init__(self, adapter=None, conf=None):
        self._adapter = adapter if adapter is not None else \
            _adapter_from_conf(conf or CONF)

    @property
    def enabled(self):
        return self._adapter is not None

    def send_events(self, events):
        """Post ``events``; returns normally when there is nothing more to
        do, raises :class:`Retry` with the events worth retrying."""
        try:
            resp = self._adapter.post(PATH, json={'events': events},
                                      headers=HEADERS, raise_exc=False)
        except ks_exc.ClientException as exc:
            raise Retry('could not reach Nova: %s' % exc, events)
        if resp.status_code == 200:
            LOG.info('Nova took %d event(s): %s', len(events),
                     _tags(events))
            return
        if resp.status_code == 207:
            return self._multi_status(resp, events)
        if resp.status_code >= 500 or resp.status_code in RETRY_STATUSES:
            raise Retry('Nova answered %s: %s' % (resp.status_code,
                                                  resp.text[:300]), events)
        LOG.error('Nova refused events %s: %s %s', _tags(events),
                  resp.status_code, resp.text[:300])

    @staticmethod
    def _multi_status(resp, events):
        try:
            answers = resp.json().get('events') or []
        except (ValueError, AttributeError):
            answers = []
        codes = {a.get('tag'): a.get('code') for a in answers
                 if isinstance(a, dict)}
        again = [e for e in events if (codes.get(e['tag']) or 500) >= 500]
        for code in sorted({c for c in codes.values() if c}):
            tags = sorted(t for t, c in codes.items() if c == code)
            if code == 422:
                LOG.info('Nova: server not on a host yet for %s (normal '
                         'for instant binds)', tags)
            elif code < 300:
                LOG.info('Nova took events %s', tags)
            else:
                LOG.warning('Nova answered %s for events %s', code, tags)
        if again:
            raise Retry('Nova could not process %s' % _tags(again), again)


def _tags(events):
    return [e['tag'] for e in events]


class Notifier:
    """An in-memory retry queue in front of :class:`NovaClient`."""

    def __init__(self, client_factory=NovaClient, first_delay=1.0,
                 max_delay=60.0, max_age=600.0):
        self._client_factory = client_factory
        self._client = None
        self.first_delay, self.max_delay = first_delay, max_delay
        self.max_age = max_age
        self._heap = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._thread = None
        self._busy = 0
        self._stopped = False
        self.sent = 0
        self.failures = 0

    def notify(self, events):
        """Queue ``events`` (a list of :func:`event` dicts) for sending."""
        if not events:
            return
        with self._cond:
            self._push(time.monotonic(), {'events': list(events),
                                          'attempts': 0,
                                          'since': time.monotonic()})
            if self._thread is None or not self._thread.is_alive():
                self._stopped = False
                self._thread = threading.Thread(
                    target=self._work, name='nova-notifier', daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def _push(self, due, item):
        heapq.heappush(self._heap, (due, next(self._seq), item))

    def pending(self):
        with self._cond:
            return len(self._heap) + self._busy

    def wait_idle(self, timeout=10.0):
        """Wait until nothing is queued or being sent (tests)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._heap or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.05))
        return True

    def stop(self):
        with self._cond:
            self._stopped = True
            if self._heap:
                LOG.warning('Dropping %d queued Nova notification(s) at '
                            'stop', len(self._heap))
            self._heap.clear()
            self._cond.notify_all()

    def _next(self):
        with self._cond:
            while not self._stopped:
                if self._heap and self._heap[0][0] <= time.monotonic():
                    self._busy += 1
                    return heapq.heappop(self._heap)[2]
                wait = (self._heap[0][0] - time.monotonic()
                        if self._heap else 1.0)
                self._cond.wait(max(min(wait, 1.0), 0.01))
            return None

    def _work(self):
        while True:
            item = self._next()
            if item is None:
                return
            try:
                self._send(item)
            except Exception:  # noqa: BLE001 - the thread must survive
                LOG.exception('Unexpected error sending Nova events')
            finally:
                with self._cond:
                    self._busy -= 1
                    self._cond.notify_all()

    def _get_client(self):
        if self._client is None:
            self._client = self._client_factory()
        return self._client

    def _send(self, item):
        try:
            client = self._get_client()
        except Exception as exc:  # noqa: BLE001 - bad config: retry later
            return self._retry(item, item['events'],
                               'cannot build the Nova client: %s' % exc)
        if not client.enabled:
            LOG.warning('Nova is not configured ([nova]): dropping events '
                        '%s', _tags(item['events']))
            return
        try:
            client.send_events(item['events'])
            self.sent += 1
        except Retry as retry:
            self._retry(item, retry.events, str(retry))

    def _retry(self, item, events, reason):
        self.failures += 1
        item = dict(item, events=events, attempts=item['attempts'] + 1)
        age = time.monotonic() - item['since']
        if age >= self.max_age:
            LOG.error('Giving up on Nova events %s after %d attempts: %s',
                      _tags(events), item['attempts'], reason)
            return
        delay = min(self.first_delay * 2 ** (item['attempts'] - 1),
                    self.max_delay)
        LOG.warning('Nova events %s not delivered (%s); retry %d in %.1fs',
                    _tags(events), reason, item['attempts'], delay)
        with self._cond:
            self._push(time.monotonic() + delay, item)
            self._cond.notify_all()


_notifier = None
_lock = threading.Lock()


def notifier():
    """The process-wide :class:`Notifier`."""
    global _notifier
    with _lock:
        if _notifier is None:
            _notifier = Notifier()
        return _notifier


def reset(new=None):
    """Replace the process-wide notifier (tests); returns the old one."""
    global _notifier
    with _lock:
        old, _notifier = _notifier, new
    if old is not None:
        old.stop()
    return old

