"""Bodies that cannot be read, sent over a raw socket to a real
``cyborg-standalone`` process: a 400 in the contract's shape and an INFO
log line, never a 500 (issue 12: a short body used to surface as a
``DisconnectionError`` that read like a database outage)."""
import json

import pytest

from cyborg.tests.functional.serving import servers
from cyborg.tests.functional.standalone import conftest as standalone


@pytest.fixture(scope='module')
def service(tmp_path_factory):
    proc = standalone.StandaloneProcess(
        tmp_path_factory.mktemp('unreadable') / 'state').start()
    yield proc
    proc.stop()


def _exchange(service, head, body=b'', half_close=True):
    """Send ``head`` and ``body``; optionally end our side (a client that
    went away); return (status, parsed JSON body)."""
    status, payload = servers.exchange(service.port, head, body, half_close)
    return status, json.loads(payload) if payload else None


def _headers(method, path, extra):
    lines = ['%s %s HTTP/1.1' % (method, path), 'Host: 127.0.0.1',
             'Content-Type: application/json', 'Accept: application/json',
             'Connection: close'] + extra
    return '\r\n'.join(lines) + '\r\n'


PROFILE = json.dumps([{'name': 'chunked-dp',
                       'groups': [{'resources:GPU': '1'}]}]).encode()


def _chunked(data, size=7):
    out = b''
    for i in range(0, len(data), size):
        piece = data[i:i + size]
        out += b'%x\r\n%s\r\n' % (len(piece), piece)
    return out + b'0\r\n\r\n'


@pytest.mark.parametrize('method, path', [
    ('POST', '/v2/device_profiles'), ('POST', '/v2/accelerator_requests'),
    ('PATCH', '/v2/accelerator_requests'), ('POST', '/v2/attributes'),
    ('PATCH', '/v2/deployables/%s/program'
     % '887cc8e4-794b-4b05-aa47-9ffacc7ebf99'),
])
def test_body_shorter_than_content_length(service, method, path):
    status, body = _exchange(service, _headers(
        method, path, ['Content-Length: 100']), PROFILE[:10])
    assert status == 400
    inner = json.loads(body['error_message'])
    assert inner['faultcode'] == 'Client'
    assert inner['faultstring'].startswith(
        'The request body could not be read: it ended after 10 of the 100 '
        'bytes')


@pytest.mark.parametrize('extra, payload', [
    (['Transfer-Encoding: chunked'], b'zz\r\nhello\r\n0\r\n\r\n'),
    (['Transfer-Encoding: chunked'], b'5\r\nhel'),          # client gone
    (['Transfer-Encoding: chunked'], b'5\r\nhelloXX0\r\n\r\n'),
    (['Transfer-Encoding: chunked'], b'-5\r\nhello\r\n0\r\n\r\n'),
    (['Content-Length: abc'], b'[]'),
    (['Content-Length: -1'], b'[]'),
])
def test_broken_framing(service, extra, payload):
    status, body = _exchange(service, _headers(
        'POST', '/v2/device_profiles', extra), payload)
    assert status == 400
    assert json.loads(body['error_message'])['faultstring'].startswith(
        'The request body could not be read: ')


def test_chunked_body_is_read(service):
    status, body = _exchange(service, _headers(
        'POST', '/v2/device_profiles', ['Transfer-Encoding: chunked']),
        _chunked(PROFILE), half_close=False)
    assert status == 201, body
    assert body['name'] == 'chunked-dp'


def test_oversized_chunked_body_is_413(service):
    big = json.dumps([{'name': 'big', 'groups': [{}],
                       'description': 'x' * (2 * 1024 * 1024)}]).encode()
    status, _body = _exchange(service, _headers(
        'POST', '/v2/device_profiles', ['Transfer-Encoding: chunked']),
        _chunked(big, size=65536))
    assert status == 413


def test_logged_at_info_without_traceback(service):
    """Last: stops the service to read its log."""
    status, _body = _exchange(service, _headers(
        'POST', '/v2/device_profiles', ['Content-Length: 50']), b'[')
    assert status == 400
    service.stop()
    lines = [line for line in service.output.splitlines()
             if 'The request body could not be read' in line]
    assert lines and all(' INFO ' in line for line in lines), lines[:3]
    assert 'Traceback' not in service.output
    assert 'DisconnectionError' not in service.output
