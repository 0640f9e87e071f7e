"""The JSON edge: response helpers, the two error formats (api.md §3),
request body and query handling (§2.4), and that a 500 never leaks a
traceback, a file path or SQL (decisions.md D2)."""
import json
import random
import string
import sys

import oslo_messaging
from oslo_messaging._drivers import common as rpc_common
import pytest
import sqlalchemy.exc
import webob
from wsme import exc as wsme_exc

from cyborg.api import expose
from cyborg.api import router
from cyborg.common import exception
from cyborg.conf import CONF


def _outer(resp):
    assert resp.content_type == 'application/json'
    body = json.loads(resp.body)
    assert list(body) == ['error_message']
    assert isinstance(body['error_message'], str)      # double-encoded
    return body['error_message']


def _inner(resp):
    return json.loads(_outer(resp))


# -- responses -------------------------------------------------------------

def test_json_response_body():
    resp = expose.json_response(201, {'a': [1]}, headers={'X-A': 'b'})
    assert resp.status_int == 201
    assert resp.headers['Content-Type'] == 'application/json'
    assert json.loads(resp.body) == {'a': [1]}
    assert resp.headers['Content-Length'] == str(len(resp.body))
    assert resp.headers['X-A'] == 'b'


@pytest.mark.parametrize('status', [202, 204])
def test_json_response_without_body(status):
    resp = expose.json_response(status, None)
    assert resp.body == b''
    assert 'Content-Type' not in resp.headers
    assert resp.headers['Content-Length'] == '0'


# -- application errors ----------------------------------------------------

@pytest.mark.parametrize('exc, status, faultcode, text', [
    (exception.DeviceNotFound(uuid='u1'), 404, 'Client',
     'Device not found with uuid=u1'),
    (exception.PolicyNotAuthorized(action='cyborg:device:get_all'), 403,
     'Client',
     'Access was denied to the following resource: cyborg:device:get_all'),
    (exception.ServiceTokenRequired(), 403, 'Client',
     'This operation requires a service token. Use the Compute API to '
     'manage instance accelerators.'),
    (exception.MicroversionRequired(version='2.2'), 406, 'Client',
     'Request not acceptable. The minimal required API version should '
     'be 2.2'),
    (exception.UnsupportedMediaType(mimetype='text/plain'), 415, 'Client',
     'Unknown mimetype: text/plain'),
    (exception.DeviceProfileNameNeeded(), 500, 'Server',
     'DeviceProfile name needed.'),
    (wsme_exc.ClientSideError('bad thing'), 400, 'Client', 'bad thing'),
])
def test_application_error_format(exc, status, faultcode, text):
    resp = expose.application_error(exc)
    assert resp.status_int == status
    assert _inner(resp) == {'faultcode': faultcode, 'faultstring': text,
                            'debuginfo': None}
    # Key order of the inner document matches upstream's.
    assert list(_inner(resp)) == ['faultcode', 'faultstring', 'debuginfo']


def test_sample_error_bodies_are_reproduced_byte_for_byte():
    resp = expose.application_error(
        exception.PolicyNotAuthorized(action='cyborg:device_profile:create'))
    assert json.loads(resp.body) == {
        'error_message': '{"faultcode": "Client", "faultstring": "Access '
                         'was denied to the following resource: '
                         'cyborg:device_profile:create", "debuginfo": '
                         'null}'}


def test_423_body_is_string_null():
    resp = expose.application_error(exception.ARQsNotResolved(instance='i'))
    assert resp.status_int == 423
    assert json.loads(resp.body) == {'error_message': 'null'}
    assert resp.body == b'{"error_message": "null"}'


def _random_text(n=12):
    return ''.join(random.choice(string.ascii_letters) for _ in range(n))


LEAKY = [
    RuntimeError('failed in /usr/lib/python3/dist-packages/cyborg/x.py'),
    KeyError('Traceback (most recent call last):'),
    sqlalchemy.exc.OperationalError(
        'SELECT device_profiles.id FROM device_profiles WHERE name = ?',
        {'name': 'x'}, Exception('no such table: device_profiles')),
    type('Err' + _random_text(), (Exception,), {})(_random_text()),
]


def _assert_no_leak(text, exc):
    for forbidden in ('Traceback', '.py', '/usr/', 'SELECT', 'FROM ',
                      'device_profiles', 'File "'):
        assert forbidden not in text, (forbidden, text)
    if exc.args and isinstance(exc.args[0], str):
        assert exc.args[0] not in text


@pytest.mark.parametrize('exc', LEAKY, ids=lambda e: type(e).__name__)
def test_unexpected_error_is_500_without_details(exc):
    resp = expose.application_error(exc)
    assert resp.status_int == 500
    inner = _inner(resp)
    assert inner['faultcode'] == 'Server'
    assert inner['debuginfo'] is None
    assert type(exc).__name__ in inner['faultstring']
    _assert_no_leak(resp.body.decode(), exc)


def test_remote_domain_error_drops_the_remote_traceback():
    # What the API gets back from the conductor over oslo.messaging: the
    # exception is rebuilt from its kwargs but str() has the remote
    # traceback appended. Only the message may reach the client.
    try:
        raise exception.DeviceNotFound(uuid='u2')
    except exception.DeviceNotFound:
        payload = rpc_common.serialize_remote_exception(sys.exc_info())
    remote = rpc_common.deserialize_remote_exception(
        payload, ['cyborg.common.exception'])
    assert 'Traceback' in str(remote)
    resp = expose.application_error(remote)
    assert resp.status_int == 404
    assert _inner(resp)['faultstring'] == 'Device not found with uuid=u2'
    assert 'Traceback' not in resp.body.decode()


def test_remote_foreign_error_is_500_without_details():
    err = oslo_messaging.RemoteError(
        'IntegrityError', 'UNIQUE constraint failed: devices.uuid',
        ['Traceback (most recent call last):\n',
         '  File "/srv/cyborg/db/api.py", line 1\n'])
    resp = expose.application_error(err)
    assert resp.status_int == 500
    _assert_no_leak(resp.body.decode(), err)
    assert 'UNIQUE' not in resp.body.decode()


@pytest.fixture
def raising_app(monkeypatch):
    """The real pipeline with one extra route whose handler raises."""
    from cyborg.api import app as api_app
    from cyborg.api.controllers import root
    box = {}

    @router.handler()
    def explode(req):
        raise box['exc']

    monkeypatch.setattr(root, 'ROUTES',
                        root.ROUTES + [('/v2/explode', {'GET': explode})])
    CONF.set_override('auth_strategy', 'noauth', group='api')
    yield box, api_app.setup_app(CONF, conductor_factory=lambda: None)
    CONF.clear_override('auth_strategy', group='api')


@pytest.mark.parametrize('exc', LEAKY, ids=lambda e: type(e).__name__)
def test_500_through_the_pipeline(raising_app, exc):
    box, app = raising_app
    box['exc'] = exc
    resp = webob.Request.blank('/v2/explode').get_response(app)
    assert resp.status_int == 500
    _assert_no_leak(resp.body.decode(), exc)
    assert _inner(resp)['debuginfo'] is None
    # Still a /v2 response: version headers and a request id.
    assert resp.headers['OpenStack-API-Version'] == 'accelerator 2.0'
    assert resp.headers['x-openstack-request-id'].startswith('req-')


# -- framework errors ------------------------------------------------------

def _req(accept=None):
    headers = {} if accept is None else {'Accept': accept}
    return webob.Request.blank('/', headers=headers)


@pytest.mark.parametrize('status, title', [
    (404, 'Not Found'), (405, 'Method Not Allowed'), (406, 'Not Acceptable'),
])
def test_framework_error_json_variant(status, title):
    resp = expose.framework_error(status, _req('application/json'), 'why')
    assert resp.status_int == status
    assert _outer(resp) == json.dumps(
        {'code': status, 'title': title, 'description': 'why'})


def test_framework_error_json_variant_matches_sample():
    resp = expose.framework_error(404, _req('application/json'))
    assert json.loads(resp.body) == {
        'error_message':
            '{"code": 404, "title": "Not Found", "description": ""}'}


@pytest.mark.parametrize('accept', [None, '*/*', 'text/plain', 'text/html'])
def test_framework_error_plain_variant(accept):
    resp = expose.framework_error(406, _req(accept), 'Bad version')
    text = _outer(resp)
    assert text.startswith('406 Not Acceptable\n\n')
    assert text.endswith('Bad version')
    with pytest.raises(ValueError):
        json.loads(text)


@pytest.mark.parametrize('accept, ok', [
    (None, True), ('*/*', True), ('application/json', True),
    ('application/*', True), ('application/json, text/plain', True),
    ('text/html, application/json;q=0.1', True),
    ('application/json; charset=utf-8', True), ('Application/JSON', True),
    ('application/json;q=0, */*', False),
    ('application/xml;q=1, application/*;q=0.2', True),
    ('application/*;q=0, */*', False),
    ('garbage', True),
    ('text/plain', False), ('application/xml', False), ('text/html', False),
    ('text/*', False), ('application/json;q=0', False), ('*/*;q=0', False),
])
def test_accepts_json(accept, ok):
    assert expose.accepts_json(_req(accept)) is ok


# -- requests --------------------------------------------------------------

def _body_req(body, content_type='application/json'):
    req = webob.Request.blank('/', method='POST')
    if body is not None:
        req.body = body
    if content_type is not None:
        req.content_type = content_type
    return req


def test_json_body_ok():
    req = _body_req(b'[{"name": "x"}]', 'application/json; charset=UTF-8')
    assert expose.json_body(req, 'req', 2048) == [{'name': 'x'}]


@pytest.mark.parametrize('body, ctype, exc_type, text', [
    (b'', 'application/json', exception.MissingArgument,
     'Missing argument: "req_devprof_list"'),
    (b'  ', 'application/json', exception.MissingArgument,
     'Missing argument: "req_devprof_list"'),
    (b'{"a": 1}', 'text/plain', exception.UnsupportedMediaType,
     'Unknown mimetype: text/plain'),
    (b'a=1&b=2', 'application/x-www-form-urlencoded',
     exception.UnknownArgument, 'Unknown argument: "a"'),
    (b'&', 'application/x-www-form-urlencoded',
     exception.MissingArgument, 'Missing argument: "req_devprof_list"'),
    (b'{"a": 1}', None, exception.UnsupportedMediaType,
     'Unknown mimetype: None'),
    (b'{"a": ', 'application/json', exception.InvalidJsonBody,
     'Request is not in valid JSON format'),
    (b'\xff\xfe', 'application/json', exception.InvalidJsonBody,
     'Request is not in valid JSON format'),
])
def test_json_body_errors(body, ctype, exc_type, text):
    with pytest.raises(exc_type) as e:
        expose.json_body(_body_req(body, ctype), 'req_devprof_list', 2048)
    assert e.value.message == text


def test_json_body_too_large():
    with pytest.raises(exception.RequestEntityTooLarge) as e:
        expose.json_body(_body_req(b'[' + b'1,' * 2000 + b'1]'), 'req',
                         1024)
    assert int(e.value.code) == 413


def test_json_body_too_large_without_content_length():
    req = _body_req(b'[' + b'1,' * 2000 + b'1]')
    del req.headers['Content-Length']
    req.environ['wsgi.input_terminated'] = True     # chunked upload
    with pytest.raises(exception.RequestEntityTooLarge):
        expose.json_body(req, 'req', 1024)


def test_no_body():
    expose.no_body(_body_req(b''), 2048)
    expose.no_body(_body_req(b'{}'), 2048)
    with pytest.raises(exception.UnknownArgument) as e:
        expose.no_body(_body_req(b'{"x": 1}'), 2048)
    assert e.value.message == 'Unknown argument: "x"'
    with pytest.raises(exception.InvalidJsonBody):
        expose.no_body(_body_req(b'{x'), 2048)


def test_query_args():
    req = webob.Request.blank('/?instance=i&bind_state=resolved')
    assert dict(expose.query_args(req, ('instance', 'bind_state'))) == {
        'instance': 'i', 'bind_state': 'resolved'}
    with pytest.raises(exception.UnknownArgument) as e:
        expose.query_args(webob.Request.blank('/?arqs=a'), ('instance',))
    assert e.value.message == 'Unknown argument: "arqs"'


@pytest.mark.parametrize('value, ok', [
    ('9d2d5b2c-7c45-4e3c-8b1b-2f6e0f4a7e11', True),
    ('9d2d5b2c7c454e3c8b1b2f6e0f4a7e11', True),         # hyphenless hex
    ('9D2D5B2C-7C45-4E3C-8B1B-2F6E0F4A7E11', True),
    ('not-a-uuid', False), ('', False), (None, False), (123, False),
    ('9d2d5b2c-7c45-4e3c-8b1b-2f6e0f4a7e1', False),
])
def test_uuid_helpers(value, ok):
    assert expose.is_uuid_like(value) is ok
    if ok:
        assert expose.require_uuid(value, 'uuid') == value
    elif isinstance(value, str):
        with pytest.raises(exception.InvalidFieldUUID) as e:
            expose.require_uuid(value, 'uuid')
        assert e.value.message == (
            "Invalid input for field/attribute uuid. Value: '%s'. unable "
            "to convert to uuid. Error: Expected a uuid but received %s."
            % (value, value))


def test_unexpected_error_is_logged_with_request_id_and_traceback(caplog):
    request = webob.Request.blank('/v2/devices', method='GET')
    request.environ['openstack.request_id'] = 'req-1234'
    try:
        raise RuntimeError('secret detail')
    except RuntimeError as exc:
        with caplog.at_level('ERROR', logger='cyborg.api.expose'):
            resp = expose.application_error(exc, request)
    assert resp.status_int == 500
    inner = _inner(resp)
    assert 'req-1234' in inner['faultstring']
    assert 'secret detail' not in resp.body.decode()
    record = caplog.records[-1]
    assert 'req-1234' in record.getMessage()
    assert 'GET /v2/devices' in record.getMessage()
    assert record.exc_info is not None          # the traceback is logged


def test_domain_5xx_is_logged_with_request_id(caplog):
    request = webob.Request.blank('/v2/devices/x/enable', method='POST')
    request.environ['openstack.request_id'] = 'req-5678'
    with caplog.at_level('ERROR', logger='cyborg.api.expose'):
        resp = expose.application_error(
            exception.AgentUnavailable(host='h1'), request)
    assert resp.status_int == 500
    assert 'req-5678' in caplog.records[-1].getMessage()
