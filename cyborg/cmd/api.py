"""cyborg-api: the REST API on [api] host_ip:[api] port.

A master process (oslo.service's launcher) binds the socket and keeps
``[api] api_workers`` worker processes alive; each serves the application
with cheroot (``cyborg.common.wsgi_service``): HTTP/1.1 keep-alive, at most
``[api] worker_threads`` requests at a time, ``[api] client_socket_timeout``
to read a request, HTTPS with ``[ssl]`` when ``[api] enable_ssl_api``.

Signals (to the master): SIGTERM stops accepting and lets requests in
progress finish within ``[DEFAULT] graceful_shutdown_timeout``; SIGHUP
re-reads the mutable options (``debug``, ...) and restarts the workers one
graceful stop at a time, while the socket keeps queueing connections;
SIGINT exits at once.
"""
import functools
import os
import sys

from oslo_log import log as logging

from cyborg.api import app as api_app
from cyborg.api import body_reader
from cyborg.cmd import common
from cyborg.common import service
from cyborg.common import wsgi_service
from cyborg.conf import CONF
from cyborg.db import session

LOG = logging.getLogger(__name__)


def worker_count(conf=CONF):
    if conf.api.api_workers:
        return conf.api.api_workers
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def tls_config(conf=CONF):
    """The checked [ssl] settings, or None when TLS is off."""
    if not conf.api.enable_ssl_api:
        return None
    return wsgi_service.tls_config(conf.ssl.cert_file, conf.ssl.key_file,
                                   conf.ssl.ca_file)


def build_server(sock, tls, conf=CONF):
    """One worker's server; runs in the worker process (the modules are
    imported by the master, so a worker starts in milliseconds)."""
    session.configure()
    return wsgi_service.WSGIServer(
        api_app.setup_app(), sock,
        threads=conf.api.worker_threads,
        read_timeout=conf.api.client_socket_timeout,
        shutdown_timeout=conf.graceful_shutdown_timeout,
        keepalive=conf.api.wsgi_keep_alive,
        max_keepalive=conf.api.max_keepalive_connections,
        framing_error=body_reader.framing_error,
        tls=tls)


def main(argv=None):
    common.parse_args(argv)
    service.register_opts(CONF)
    try:
        tls = tls_config()
    except wsgi_service.TLSConfigError as exc:
        LOG.error('cyborg-api cannot start: %s', exc)
        print('cyborg-api: %s' % exc, file=sys.stderr)
        return 1
    try:
        sock = wsgi_service.listen(CONF.api.host_ip, CONF.api.port,
                                   CONF.api.backlog)
    except OSError as exc:
        LOG.error('cyborg-api cannot listen on %s:%s: %s',
                  CONF.api.host_ip, CONF.api.port, exc)
        return 1
    workers = worker_count()
    LOG.info('cyborg-api listening on %s://%s:%d with %d worker(s)',
             'https' if tls else 'http', CONF.api.host_ip,
             sock.getsockname()[1], workers)
    api = service.Managed(functools.partial(build_server, sock, tls),
                          name='cyborg-api')
    return service.run(CONF, api, workers=workers)


if __name__ == '__main__':
    sys.exit(main())
