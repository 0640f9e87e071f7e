"""cyborg-api: the REST API on [api] host_ip:[api] port.

The server is granian (``cyborg.common.api_server``): a master process
binds the socket and keeps ``[api] api_workers`` worker processes, each
running the application in at most ``[api] worker_threads`` threads;
HTTP/1.1 keep-alive, ``[api] client_socket_timeout`` to send a request's
headers, HTTPS with ``[ssl]`` when ``[api] enable_ssl_api``.

Signals (to the master): SIGTERM (and SIGINT) stop accepting and let the
requests in progress finish within ``[DEFAULT] graceful_shutdown_timeout``;
SIGHUP re-reads the mutable options (``debug``, ...) in the master and in
every worker, in place.
"""
import os
import sys

from oslo_log import log as logging

from cyborg.cmd import common
from cyborg.common import api_server
from cyborg.common import service
from cyborg.common import tls
from cyborg.conf import CONF

LOG = logging.getLogger(__name__)


def worker_count(conf=CONF):
    if conf.api.api_workers:
        return conf.api.api_workers
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def main(argv=None):
    common.parse_args(argv)
    service.register_opts(CONF)
    try:
        tls_files = tls.files()
    except tls.TLSConfigError as exc:
        LOG.error('cyborg-api cannot start: %s', exc)
        print('cyborg-api: %s' % exc, file=sys.stderr)
        return 1
    workers = worker_count()
    server = api_server.build(workers, tls_files)
    LOG.info('cyborg-api starting on %s://%s:%d with %d worker(s)',
             'https' if tls_files else 'http', CONF.api.host_ip, CONF.api.port,
             workers)
    try:
        api_server.serve(server)
    except SystemExit as exc:
        return exc.code or 0
    return 0


if __name__ == '__main__':
    sys.exit(main())
