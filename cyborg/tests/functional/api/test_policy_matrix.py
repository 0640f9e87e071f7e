"""The persona matrix of api.md §6.4, cell by cell, in both policy modes.

Every (operation, persona, mode) of ``policy_matrix.yaml`` is one request
through the real pipeline (noauth: identity from X-* headers, Keystone's
implied roles spelled out). Denied: 403 whose faultstring names the rule.
Allowed: anything but 403 (validation may fail afterwards, §6.1).
"""
import json
import os

import pytest
import webob
import yaml

from cyborg import policies
from cyborg.api import app as api_app
from cyborg.common import exception
from cyborg.conf import CONF
from cyborg.tests.fixtures import database
from cyborg.tests.functional.api import gabbi_fixtures

MATRIX_FILE = os.path.join(os.path.dirname(__file__), 'policy_matrix.yaml')
with open(MATRIX_FILE, encoding='utf-8') as f:
    MATRIX = yaml.safe_load(f)

PERSONAS = MATRIX['personas']
OPERATIONS = MATRIX['operations']
MODES = ('legacy', 'new')
PROJECT = '8a2f7e6c1b3d4e5f9a0b1c2d3e4f5a6b'
USER = 'matrix-user'


def _expected(op, persona, mode):
    cell = OPERATIONS[op]['expect'][persona]
    legacy, new = cell.split('/')
    mark = legacy if mode == 'legacy' else new
    assert mark in ('✓', '✗'), cell
    return mark == '✓'


def _headers(persona):
    spec = PERSONAS[persona]
    headers = {'Accept': 'application/json', 'X-User-Id': USER,
               'X-Roles': spec['roles'],
               'Content-Type': 'application/json'}
    if spec.get('system_scope'):
        headers['OpenStack-System-Scope'] = spec['system_scope']
    else:
        headers['X-Project-Id'] = PROJECT
    return headers


class _StubConductor:
    """Answers every RPC with 'not found': the matrix only needs the
    request to get past the policy check (device enable/disable look the
    device up in the conductor)."""

    def __getattr__(self, name):
        def call(*args, **kwargs):
            raise exception.NotFound()
        return call


@pytest.fixture(scope='module')
def db():
    gabbi_fixtures.init_conf()
    fix = database.Database()
    fix.setUp()
    yield fix
    fix.cleanUp()


@pytest.fixture(scope='module', params=MODES)
def mode_app(request, db):
    mode = request.param
    CONF.set_override('auth_strategy', 'noauth', group='api')
    CONF.set_override('enforce_new_defaults', mode == 'new',
                      group='oslo_policy')
    policies.reset()
    app = api_app.setup_app(CONF, conductor_factory=_StubConductor)
    yield mode, app
    CONF.clear_override('auth_strategy', group='api')
    CONF.clear_override('enforce_new_defaults', group='oslo_policy')
    policies.reset()


def _inner(resp):
    try:
        return json.loads(json.loads(resp.body)['error_message'])
    except (ValueError, KeyError, TypeError):
        return None


def _is_framework_404(resp):
    inner = _inner(resp)
    return (resp.status_int == 404 and isinstance(inner, dict)
            and 'code' in inner and 'faultcode' not in inner)


def _request(app, op, persona):
    row = OPERATIONS[op]
    headers = _headers(persona)
    if 'version' in row:
        headers['OpenStack-API-Version'] = 'accelerator ' + row['version']
    req = webob.Request.blank(row['path'], method=row['method'],
                              headers=headers)
    if 'body' in row:
        req.body = row['body'].encode('utf-8')
    return req.get_response(app)


CELLS = [(op, persona) for op in OPERATIONS for persona in PERSONAS]


@pytest.mark.parametrize('op, persona', CELLS,
                         ids=['%s-%s' % cell for cell in CELLS])
def test_cell(mode_app, op, persona):
    mode, app = mode_app
    row = OPERATIONS[op]
    resp = _request(app, op, persona)
    if _is_framework_404(resp):
        pytest.fail('%s %s answers a framework 404' % (row['method'],
                                                       row['path']))
    if _expected(op, persona, mode):
        assert resp.status_int != 403, (mode, resp.status, resp.body)
        assert resp.status_int < 500, (mode, resp.status, resp.body)
    else:
        # A row checked 'after' another operation's rule is denied by
        # that rule first where it denies.
        rule = row['rule']
        if 'after' in row and not _expected(row['after'], persona, mode):
            rule = OPERATIONS[row['after']]['rule']
        assert resp.status_int == 403, (mode, resp.status, resp.body)
        assert _inner(resp) == {
            'faultcode': 'Client',
            'faultstring': 'Access was denied to the following resource: '
                           + rule,
            'debuginfo': None}
        # A /v2 application error: version headers are present.
        assert resp.headers['OpenStack-API-Version'] == (
            'accelerator ' + row.get('version', '2.0'))


# -- the data file itself --------------------------------------------------

def test_matrix_covers_every_api_rule():
    api_rules = {rule.name for rule in policies.list_rules()
                 if rule.name.startswith('cyborg:')}
    assert {row['rule'] for row in OPERATIONS.values()} == api_rules


def test_matrix_rows_are_complete():
    for op, row in OPERATIONS.items():
        assert set(row) <= {'rule', 'method', 'path', 'body', 'pending',
                            'expect', 'version', 'after'}, op
        assert set(row['expect']) == set(PERSONAS), op
        for cell in row['expect'].values():
            assert cell in ('✓/✓', '✓/✗', '✗/✗'), (op, cell)


def test_personas_are_keystone_implied_roles():
    assert {name: spec['roles'] for name, spec in PERSONAS.items()} == {
        'admin': 'admin,manager,member,reader',
        'manager': 'manager,member,reader',
        'member': 'member,reader',
        'reader': 'reader',
        'service': 'service',
        'other': 'foo',
        'system': 'admin,manager,member,reader',
    }
    assert PERSONAS['system']['system_scope'] == 'all'
