"""Helpers of the api.md conformance audit (``test_conformance_*.py``).

One in-process app per test module: a fresh database holding the sample
inventory (``inventory_fixtures``) and the sample profiles and ARQs
(``gabbi_fixtures``), a conductor on the fake transport, noauth identity
from X-* headers, new-default policies. Requests are built with webob so
that any path, header, query string or body bytes can be sent as they are.

Every response goes through :func:`check_clean`: no traceback, file path
or SQL text, ever; a 5xx names its cause.
"""
import json
import re

import pytest
import webob

from cyborg.tests.functional.api import gabbi_fixtures
from cyborg.tests.functional.api import inventory_fixtures as inv

PROJECT = inv.PROJECT
ADMIN = inv.ADMIN
VERSION_HEADERS = ('OpenStack-API-Version', 'OpenStack-API-Minimum-Version',
                   'OpenStack-API-Maximum-Version', 'Vary')
A = '/v2/accelerator_requests'
DPS = '/v2/device_profiles'

_LEAKS = re.compile(
    r'Traceback|File "|\.py\b|line \d+|sqlalchemy|sqlite|pymysql|'
    r'\bSELECT\b|\bINSERT\b|\bUPDATE\b.*\bSET\b|\bWHERE\b|/work/|site-packages',
    re.IGNORECASE)


class Api:
    def __init__(self, app, db):
        self.app, self.db = app, db

    def __call__(self, method, path, body=None, raw=None,
                 ct='application/json', headers=None, version=None,
                 roles=ADMIN, project=PROJECT, accept='application/json'):
        req = webob.Request.blank(path, method=method)
        req.headers['X-User-Id'] = 'u-' + project
        req.headers['X-Project-Id'] = project
        req.headers['X-Roles'] = roles
        if accept is not None:
            req.headers['Accept'] = accept
        if version:
            req.headers['OpenStack-API-Version'] = 'accelerator ' + version
        if body is not None or raw is not None:
            req.body = raw if raw is not None else json.dumps(body).encode()
            if ct is not None:
                req.content_type = ct
            else:
                req.headers.pop('Content-Type', None)
        for name, value in (headers or {}).items():
            if value is None:
                req.headers.pop(name, None)
            else:
                req.headers[name] = value
        resp = req.get_response(self.app)
        check_clean(resp)
        resp.data = (json.loads(resp.body)
                     if resp.body and method != 'HEAD' else None)
        return resp


def check_clean(resp):
    """No internals in any response; every 5xx names its cause."""
    text = resp.body.decode('utf-8', 'replace')
    assert not _LEAKS.search(text), text[:2000]
    if resp.status_int >= 500 and resp.body:
        inner = json.loads(json.loads(text)['error_message'])
        assert inner['faultcode'] == 'Server'
        assert inner['debuginfo'] is None
        assert inner['faultstring'] and 'Internal error' not in \
            inner['faultstring'], inner['faultstring']


def inner(resp):
    """The decoded inner document of an error body (api.md §3.1)."""
    assert list(resp.data) == ['error_message'], resp.data
    assert isinstance(resp.data['error_message'], str)
    return json.loads(resp.data['error_message'])


def fault(resp):
    doc = inner(resp)
    assert set(doc) == {'faultcode', 'faultstring', 'debuginfo'}, doc
    assert doc['debuginfo'] is None
    assert doc['faultcode'] == ('Client' if resp.status_int < 500
                                else 'Server')
    return doc['faultstring']


def serve():
    """Generator for a module-scoped fixture: yields an :class:`Api`."""
    gen = inv.serve()
    api = next(gen)
    session = api.db.session()
    try:
        gabbi_fixtures.add_sample_arqs(session)
    finally:
        session.close()
    try:
        yield Api(api.app, api.db)
    finally:
        gen.close()


api_fixture = pytest.fixture(scope='module', name='api')(serve)
