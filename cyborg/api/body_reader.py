"""Read the request body once, before anything parses it.

A body that cannot be read is the client's failure, not ours: shorter
than its ``Content-Length`` (the client went away), a malformed
``Content-Length`` or broken chunked framing. Left to the layers below,
webob raises its ``DisconnectionError`` from wherever the body is first
touched and the request ends as a 500 that looks like a database
outage. Here it is a 400 in the contract's shape (api.md §3.1) and an
INFO log line.

A readable body is handed on in memory with its real length, so the
application never touches the socket. A body declared larger than
``[api] max_request_body_size`` is not read: the router answers 413.
Chunked bodies are de-chunked here when the WSGI server did not do it
(wsgiref does not).
"""
import io
import logging

from cyborg.api import expose
from cyborg.common import exception

LOG = logging.getLogger(__name__)
_BLOCK = 64 * 1024


class UnreadableBody(exception.Invalid):
    msg_fmt = 'The request body could not be read: %(reason)s'


class _TooLarge(Exception):
    pass


def _read_exactly(stream, length):
    parts, left = [], length
    while left > 0:
        chunk = stream.read(min(left, _BLOCK))
        if not chunk:
            raise UnreadableBody(
                reason='it ended after %d of the %d bytes its '
                       'Content-Length announced' % (length - left, length))
        parts.append(chunk)
        left -= len(chunk)
    return b''.join(parts)


def _read_line(stream):
    line = stream.readline(1024)
    if not line.endswith(b'\n'):
        raise UnreadableBody(reason='broken chunked encoding')
    return line


def _dechunk(stream, max_size):
    """RFC 9112 §7.1 chunked framing, extensions and trailers ignored."""
    parts, total = [], 0
    while True:
        size_text = _read_line(stream).split(b';', 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise UnreadableBody(reason='broken chunked encoding')
        if size < 0 or not size_text.isalnum():
            raise UnreadableBody(reason='broken chunked encoding')
        if size == 0:
            break
        total += size
        if total > max_size:
            raise _TooLarge()
        parts.append(_read_exactly(stream, size))
        if _read_line(stream).strip():
            raise UnreadableBody(reason='broken chunked encoding')
    while _read_line(stream).strip():     # trailer fields
        pass
    return b''.join(parts)


def _read_to_end(stream, max_size):
    data = stream.read(max_size + 1)
    if len(data) > max_size:
        raise _TooLarge()
    return data


def read_body(environ, max_size):
    """The body bytes, or None when it must not be read (too large)."""
    stream = environ.get('wsgi.input')
    length = environ.get('CONTENT_LENGTH', '').strip()
    chunked = 'chunked' in environ.get('HTTP_TRANSFER_ENCODING', '').lower()
    if stream is None:
        return b''
    if length and not chunked:
        if not length.isdigit():
            raise UnreadableBody(reason='invalid Content-Length %r'
                                 % length[:40])
        if int(length) > max_size:
            return None
        return _read_exactly(stream, int(length))
    if not chunked:
        return b''
    if environ.get('wsgi.input_terminated'):   # the server de-chunked it
        return _read_to_end(stream, max_size)
    return _dechunk(stream, max_size)


def framing_error(message, remote_addr=None):
    """``(status line, headers, body)`` of the 400 for a request that the
    HTTP server refused before the application ran (cheroot: a malformed
    ``Content-Length`` or header line), in the contract's shape, with the
    same INFO log line as a body that cannot be read."""
    if 'content-length' in message.lower():
        exc = UnreadableBody(reason='invalid Content-Length')
    else:
        exc = exception.Invalid(
            message='The request could not be read: %s' % message[:200])
    LOG.info('Request from %s refused by the HTTP server: %s',
             remote_addr, exc.message)
    response = expose.application_error(exc)
    return response.status, response.headerlist, response.body


class BodyReader:
    """WSGI middleware: the body read up front, 400 if it cannot be."""

    def __init__(self, app, conf):
        self.app = app
        self.conf = conf

    def __call__(self, environ, start_response):
        max_size = self.conf.api.max_request_body_size
        try:
            body = read_body(environ, max_size)
        except _TooLarge:
            return self._answer(exception.RequestEntityTooLarge(),
                                environ, start_response)
        except (UnreadableBody, OSError, ValueError) as exc:
            if not isinstance(exc, UnreadableBody):
                exc = UnreadableBody(reason='the connection failed')
            LOG.info('%s %s from %s: %s (request %s)',
                     environ.get('REQUEST_METHOD'),
                     environ.get('PATH_INFO'), environ.get('REMOTE_ADDR'),
                     exc.message, environ.get('openstack.request_id'))
            return self._answer(exc, environ, start_response)
        if body is not None:
            environ['wsgi.input'] = io.BytesIO(body)
            environ['CONTENT_LENGTH'] = str(len(body))
            environ.pop('HTTP_TRANSFER_ENCODING', None)
            environ['wsgi.input_terminated'] = True
        return self.app(environ, start_response)

    @staticmethod
    def _answer(exc, environ, start_response):
        return expose.application_error(exc)(environ, start_response)
