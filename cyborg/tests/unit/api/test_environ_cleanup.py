"""``EnvironCleanup``: what the application added to the environ goes when
the response is complete; what the server set stays."""
import pytest

from cyborg.api import environ_cleanup


def _environ():
    return {'REQUEST_METHOD': 'GET', 'PATH_INFO': '/v2',
            'REMOTE_ADDR': '192.0.2.7', 'wsgi.url_scheme': 'http'}


def _start(status, headers, exc_info=None):
    return None


def _adding(result):
    def app(environ, start_response):
        environ['pecan.locals'] = {'environ': environ}   # a cycle, as Pecan
        environ['webob.adhoc_attrs'] = {}
        environ['PATH_INFO'] = '/v2/'                   # a server key changed
        start_response('200 OK', [])
        return result
    return app


def test_a_complete_response_leaves_only_the_server_keys():
    environ = _environ()
    app = environ_cleanup.EnvironCleanup(_adding([b'{}']))
    assert app(environ, _start) == [b'{}']
    assert environ == dict(_environ(), PATH_INFO='/v2/')


class _Stream:
    def __init__(self):
        self.closed = False

    def __iter__(self):
        return iter([b'a', b'b'])

    def close(self):
        self.closed = True


def test_a_streamed_response_is_cleaned_when_the_server_closes_it():
    environ, stream = _environ(), _Stream()
    result = environ_cleanup.EnvironCleanup(_adding(stream))(environ, _start)
    assert b''.join(result) == b'ab'
    assert 'pecan.locals' in environ           # still being sent
    result.close()
    assert stream.closed
    assert set(environ) == set(_environ())


def test_an_application_error_still_cleans_the_environ():
    def failing(environ, start_response):
        environ['pecan.locals'] = {'environ': environ}
        raise RuntimeError('boom')

    environ = _environ()
    with pytest.raises(RuntimeError):
        environ_cleanup.EnvironCleanup(failing)(environ, _start)
    assert environ == _environ()
