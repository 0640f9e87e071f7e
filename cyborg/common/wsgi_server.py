"""A small threaded WSGI server for cyborg-api and the standalone mode.

Production deployments usually run ``cyborg.api.wsgi:application`` under a
WSGI server of their choice; this one serves the same application for the
console scripts, one thread per request.
"""
import socketserver
import threading
from wsgiref import simple_server


class _Handler(simple_server.WSGIRequestHandler):
    def log_message(self, fmt, *args):  # access logs go through oslo.log
        import logging
        logging.getLogger('cyborg.api.access').info(
            '%s %s', self.address_string(), fmt % args)


class _Server(socketserver.ThreadingMixIn, simple_server.WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class Server:
    def __init__(self, app, host, port):
        self._httpd = simple_server.make_server(
            host, port, app, server_class=_Server, handler_class=_Handler)
        self.host, self.port = self._httpd.server_address[:2]
        self._thread = None

    @property
    def url(self):
        return 'http://%s:%d' % (self.host, self.port)

    def start(self):
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        name='wsgi-server', daemon=True)
        self._thread.start()

    def serve_forever(self):
        self._httpd.serve_forever()

    def stop(self):
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)
