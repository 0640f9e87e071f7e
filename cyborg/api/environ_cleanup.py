"""The outermost layer of the API: what a request added to its WSGI
environ is removed once its response is complete.

WebOb and Pecan keep the request in the environ that the request itself
holds (``pecan.locals``, ``webob.adhoc_attrs``, the parsed query's
``GetDict``): every request leaves a reference cycle of 15 to 25 objects,
which reference counting cannot free. The garbage collector then runs
every few dozen requests, and walks each request's environ (granian's
carries a copy of the process environment). Under cyborg-api that cost
about half of the application's own time per request (``GET`` of an ARQ:
644 us in-application against 352 us under uWSGI, which empties the
environ itself after each request; the same with this layer).

Only the keys the application added go: those the server set
(``REMOTE_ADDR``, ``PATH_INFO``, ...) stay, for a server or an outer layer
that reads them after the response (gunicorn's access log does).
"""


class EnvironCleanup:
    """``app`` whose requests leave nothing added in their environ once the
    response has been produced (a list) or, for a streamed response, once
    the server closes it (PEP 3333's ``close``)."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        server_keys = set(environ)
        try:
            result = self.app(environ, start_response)
        except BaseException:
            _remove_added(environ, server_keys)
            raise
        if type(result) is list:           # complete: nothing reads on
            _remove_added(environ, server_keys)
            return result
        return _ClosingResult(result, environ, server_keys)


def _remove_added(environ, server_keys):
    for key in environ.keys() - server_keys:
        del environ[key]


class _ClosingResult:
    """A streamed response: the environ is cleaned when the server closes
    it, after the last chunk."""

    def __init__(self, result, environ, server_keys):
        self.result = result
        self.environ = environ
        self.server_keys = server_keys

    def __iter__(self):
        return iter(self.result)

    def close(self):
        try:
            close = getattr(self.result, 'close', None)
            if close is not None:
                close()
        finally:
            _remove_added(self.environ, self.server_keys)
