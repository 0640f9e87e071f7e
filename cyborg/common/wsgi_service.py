"""The in-process HTTP server of the standalone mode: cheroot.

* :func:`listen` binds a listening socket (IPv4 or IPv6).
* :class:`WSGIServer` serves one WSGI application on that socket in one
  process: HTTP/1.1 with keep-alive, at most ``threads`` requests at a time
  (further connections wait), a read timeout per connection. ``stop()``
  stops accepting and lets the
  requests in progress finish within ``shutdown_timeout`` seconds.
  The request body is left to the application (``cyborg.api.body_reader``)
  even when it is chunked, and the 400s cheroot answers itself before the
  application runs (a malformed ``Content-Length``, a broken header) are
  answered in the application's error shape when a ``framing_error``
  callable is given (see :class:`_Request`).
"""
import logging
import socket
import threading

from cheroot import errors as cheroot_errors
from cheroot import server as cheroot_server
from cheroot import wsgi as cheroot_wsgi

from cyborg.common import access_log

LOG = logging.getLogger(__name__)


def listen(host, port, backlog=128):
    """A bound, listening TCP socket (IPv4 or IPv6)."""
    info = socket.getaddrinfo(host, port, socket.AF_UNSPEC,
                              socket.SOCK_STREAM, 0, socket.AI_PASSIVE)
    family, socktype, proto, _, address = info[0]
    sock = socket.socket(family, socktype, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    sock.listen(backlog)
    return sock


class _Request(cheroot_server.HTTPRequest):
    """cheroot's request, leaving body framing to the application.

    cheroot de-chunks a chunked body itself and is lenient where the
    application must not be: it reads a negative chunk size as the end
    of the body (so a broken request would run with an empty body). Here
    a chunked body reaches the application raw (``wsgi.input_terminated``
    false), which de-chunks it strictly and answers 400 when it cannot;
    the connection is closed afterwards, since the application may stop
    reading part way. A 400 that cheroot answers before the application
    runs (its "simple response") is rendered by the server's
    ``framing_error`` callable, when it has one, as ``(status, headers,
    body)`` in the application's error shape.
    """

    def respond(self):
        if self.chunked_read:
            self.chunked_read = False
            self.close_connection = True
            self.rfile = self.conn.rfile
            self.server.gateway(self).respond()
            if self.ready:
                self.ensure_headers_sent()
            if self.chunked_write:
                self.conn.wfile.write(b'0\r\n\r\n')
            return
        super().respond()

    def simple_response(self, status, msg=''):
        render = getattr(self.server, 'framing_error', None)
        if render is None or not str(status).startswith('400'):
            return super().simple_response(status, msg)
        self.close_connection = True
        status_line, headers, body = render(
            msg.decode('latin-1') if isinstance(msg, bytes) else str(msg),
            self.conn.remote_addr)
        head = ['%s %s' % (self.server.protocol, status_line)]
        head += ['%s: %s' % (k, v) for k, v in headers
                 if k.lower() not in ('content-length', 'connection')]
        head += ['Content-Length: %d' % len(body), 'Connection: close']
        data = ('\r\n'.join(head) + '\r\n\r\n').encode('latin-1') + body
        try:
            self.conn.wfile.write(data)
        except OSError as exc:
            if exc.args[0] not in cheroot_errors.socket_errors_to_ignore:
                raise


class _Connection(cheroot_server.HTTPConnection):
    RequestHandlerClass = _Request


class _Server(cheroot_wsgi.Server):
    """cheroot on a socket bound beforehand (by the master process)."""

    ConnectionClass = _Connection

    def __init__(self, sock, app, framing_error=None, **kwargs):
        self._shared_socket = sock
        self.framing_error = framing_error
        super().__init__(sock.getsockname()[:2], app, **kwargs)

    def bind(self, family, type, proto=0):
        self.socket = self._shared_socket
        self.bind_addr = self.socket.getsockname()[:2]

    def error_log(self, msg='', level=logging.INFO, traceback=False):
        LOG.log(level, '%s', msg, exc_info=traceback)


class WSGIServer:
    """Serve ``app`` on ``sock`` in a background thread of this process."""

    def __init__(self, app, sock, threads=16, read_timeout=60,
                 shutdown_timeout=60, name='cyborg-api', framing_error=None):
        self.sock = sock
        self.host, self.port = sock.getsockname()[:2]
        self._server = _Server(sock, access_log.access_logged(app),
                               framing_error=framing_error,
                               numthreads=threads,
                               max=threads, timeout=read_timeout,
                               shutdown_timeout=shutdown_timeout,
                               server_name=name)
        self._thread = None

    @property
    def url(self):
        host = '[%s]' % self.host if ':' in self.host else self.host
        return 'http://%s:%d' % (host, self.port)

    def start(self):
        self._server.prepare()
        self._thread = threading.Thread(target=self._serve,
                                        name='wsgi-server', daemon=True)
        self._thread.start()

    def _serve(self):
        try:
            self._server.serve()
        except Exception:  # keep the process up; the launcher logs exits
            LOG.exception('HTTP server stopped on an error')

    def stop(self):
        """Stop accepting; wait for the requests in progress."""
        self._server.stop()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
