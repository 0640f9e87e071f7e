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

:meth:`NovaClient.send_events` posts a batch of events and tells which
to try again: a connection error, a 5xx, 401/403/408/409/429, or, in a
207, the events whose own ``code`` is a 5xx. A 200, a 207's 2xx/4xx
events (422: the server is not on a host yet, normal for instant binds;
404: unknown server) and other 4xx answers are final. The durable queue,
batching and retries live in the conductor's outbox sender
(``conductor/cluster/outbox.py``, decision D3.10).
"""
import logging

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
    ``endpoint_override`` (when the outbox sender drops events)."""
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
