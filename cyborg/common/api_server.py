"""The HTTP server of ``cyborg-api``: granian, several worker processes.

granian (a Rust HTTP server with a WSGI interface) parses HTTP and TLS
outside the GIL; each worker process runs the application in at most
``[api] worker_threads`` Python threads. What it is given from the options:

* ``[api] api_workers`` worker processes, forked from the master, which
  binds the socket (``[api] backlog``) before and keeps it across restarts;
* up to :data:`CONNECTIONS_PER_WORKER` open client connections per worker
  (idle keep-alive ones included), whatever ``worker_threads`` is;
* HTTP/1.1, keep-alive unless ``[api] wsgi_keep_alive`` is off; a request's
  headers must arrive within ``[api] client_socket_timeout`` (granian takes
  at most 60 seconds);
* with ``[api] worker_cpu_affinity``, worker *i* and all its threads on the
  *i*-th CPU the process may use (round robin);
* TLS (1.2 and later) from ``[ssl]`` when ``[api] enable_ssl_api`` is on,
  client certificates required when ``[ssl] ca_file`` is set;
* SIGTERM and SIGINT: each worker stops accepting and finishes the requests
  it has within ``[DEFAULT] graceful_shutdown_timeout`` (0: no limit);
* SIGHUP: the master and every worker re-read the mutable options
  (``debug``, ...) in place; no process restarts, no connection is closed.
  The policy file is re-read whenever it changes;
* a request with a chunked body is refused (411, :func:`refuse_chunked`).

The application, the database engine and the logging handlers are built in
each worker (:func:`worker_application`), never in the master.
"""
import functools
import http
import logging as std_logging
import os
import pathlib
import signal
import socket
import sys

from granian import constants as granian_constants
from granian import http as granian_http
from granian import net as granian_net
from granian import server as granian_server
from oslo_log import log as logging

from cyborg.api import app as api_app
from cyborg.api import body_reader
from cyborg.api import expose
from cyborg.common import access_log
from cyborg.common import exception
from cyborg.conf import CONF

LOG = logging.getLogger(__name__)

#: granian reads a request's headers within this many ms at most
MAX_HEADER_TIMEOUT_MS = 60000
#: client connections one worker keeps open, idle keep-alive ones
#: included (granian's "backpressure": a worker at the limit accepts no
#: more). Tying it to worker_threads, as granian does by default, let a
#: few idle keep-alive clients (keystoneauth sessions keep theirs) stop a
#: worker from accepting at all. Below the usual 1024 open files.
CONNECTIONS_PER_WORKER = 512
#: seconds granian waits before replacing a worker that died
RESPAWN_INTERVAL = 1.0
#: granian's own log records go to the root logger (oslo.log's handlers)
#: and its access log stays off (``cyborg.api.access`` is the access log)
GRANIAN_LOGGING = {
    'handlers': {},
    'loggers': {
        '_granian': {'propagate': True},
        'granian.access': {'propagate': False,
                           'level': std_logging.CRITICAL + 1},
    },
}
# set in the master once its configuration is parsed; a worker forked from
# it inherits the parsed configuration, one started afresh parses its own
_master_configured = False


def _header_timeout_ms(conf):
    wanted = conf.api.client_socket_timeout * 1000
    if wanted > MAX_HEADER_TIMEOUT_MS:
        LOG.warning('[api] client_socket_timeout %ss is above what '
                    'cyborg-api can use; it waits 60s for request headers',
                    conf.api.client_socket_timeout)
    return min(wanted, MAX_HEADER_TIMEOUT_MS)


class _Server(granian_server.MPServer):
    """granian with one listening socket, bound by the master and shared
    by the workers (granian's choice elsewhere than on Linux).

    On Linux granian gives each worker a socket of its own with
    SO_REUSEPORT: the kernel then queues a share of the connections on
    every worker's socket, so a worker that stops (SIGHUP, a crash) resets
    the connections waiting in its queue, and one that hangs holds its
    share. With one socket, a waiting connection goes to whichever worker
    accepts next.
    """

    def _init_shared_socket(self):
        self._ssp = granian_net.SocketSpec(self.bind_addr, self.bind_port,
                                           self.backlog)
        try:
            self._shd = self._ssp.build()
        except Exception as exc:   # granian's error type is not public
            reason = (str(exc).strip().splitlines() or [repr(exc)])[0]
            LOG.error('cyborg-api cannot listen on %s:%s: %s',
                      self.bind_addr, self.bind_port, reason)
            raise SystemExit(1) from None
        self._sfd = self._shd.get_fd()
        self._ssp = None
        self._sso = socket.socket(fileno=self._sfd)
        self._sso.set_inheritable(True)

    def _spawn_worker(self, idx, target, callback_loader):
        return super()._spawn_worker(
            idx, target, functools.partial(_worker_start, idx,
                                           callback_loader))

    def signal_handler_reload(self, *args, **kwargs):
        """SIGHUP: not granian's restart of the workers (a worker that
        stops closes the connections it accepted and has not read yet),
        but the mutable options re-read in place, in the master and in
        every worker."""
        if os.getpid() != self.pid:      # a worker, before its own handler
            _reload_options()
            return
        _reload_options()
        for worker in list(self.wrks):
            try:
                os.kill(worker.inner.pid, signal.SIGHUP)
            except (OSError, TypeError):  # gone, or not started yet
                continue


class _ThreadCountAdvice(std_logging.Filter):
    """Drops granian's warning about more threads than twice the CPUs:
    here they mostly wait on the database; ``[api] worker_threads``
    documents how to size them."""

    def filter(self, record):
        return not str(record.msg).startswith(
            'Configuration allows spawning up to')


def build(workers, tls, conf=CONF):
    """granian's multi-process server for the API, not started; ``tls``:
    what :func:`cyborg.common.tls.files` answered."""
    threads = conf.api.worker_threads
    kwargs = {}
    if tls is not None:
        kwargs = dict(
            ssl_cert=pathlib.Path(tls.cert_file),
            ssl_key=pathlib.Path(tls.key_file),
            ssl_protocol_min=granian_constants.SSLProtocols.tls12)
        if tls.ca_file:
            kwargs.update(ssl_ca=pathlib.Path(tls.ca_file),
                          ssl_client_verify=True)
    server = _Server(
        'cyborg.common.api_server:worker_application',
        address=conf.api.host_ip, port=conf.api.port,
        interface=granian_constants.Interfaces.WSGI,
        http=granian_constants.HTTPModes.http1, websockets=False,
        workers=workers, blocking_threads=threads,
        backpressure=max(threads, CONNECTIONS_PER_WORKER),
        backlog=max(conf.api.backlog, 128),
        http1_settings=granian_http.HTTP1Settings(
            header_read_timeout=_header_timeout_ms(conf),
            keep_alive=conf.api.wsgi_keep_alive),
        log_dictconfig=GRANIAN_LOGGING,
        respawn_failed_workers=True, respawn_interval=RESPAWN_INTERVAL,
        workers_kill_timeout=conf.graceful_shutdown_timeout or None,
        **kwargs)
    # granian's logging set-up closed the handlers oslo.log had installed
    logging.setup(conf, 'cyborg')
    std_logging.getLogger('_granian').addFilter(_ThreadCountAdvice())
    return server


def _reload_options(*_args):
    """SIGHUP: the mutable options (``debug``, ...) change in this
    process; the policy file is re-read by the enforcer when it changes."""
    LOG.info('SIGHUP: re-reading the mutable options')
    CONF.mutate_config_files()
    LOG.debug('SIGHUP: debug logging is on')   # seen only when it is


def serve(server, loader=None):
    """Run ``server`` until SIGTERM; each worker serves what ``loader()``
    returns there (default: :func:`worker_application`)."""
    global _master_configured
    _master_configured = True
    server.serve(target_loader=loader or worker_application,
                 wrap_loader=False)


def _worker_start(idx, loader):
    """In worker ``idx`` (0-based), before granian starts its threads."""
    if CONF.api.worker_cpu_affinity:
        pin_to_one_cpu(idx)
    return loader()


def pin_to_one_cpu(idx):
    """Every thread of this process, and those it starts later, on one of
    the CPUs it may use: the ``idx``-th, round robin. Returns that CPU."""
    cpus = sorted(os.sched_getaffinity(0))
    cpu = cpus[idx % len(cpus)]
    for tid in os.listdir('/proc/self/task'):
        try:
            os.sched_setaffinity(int(tid), {cpu})
        except (ProcessLookupError, PermissionError):   # a thread that ended
            continue
    LOG.info('Worker %d pinned to CPU %d', idx + 1, cpu)
    return cpu


def worker_application():
    """The application of one worker (granian calls this in the worker,
    after its own logging set-up, which closed the inherited handlers)."""
    from cyborg.cmd import common
    from cyborg.db import session
    signal.signal(signal.SIGHUP, _reload_options)
    if not _master_configured:           # a spawned, not forked, worker
        common.parse_args(sys.argv[1:])
    else:
        logging.setup(CONF, 'cyborg')
    session.configure()
    return access_log.access_logged(refuse_chunked(api_app.setup_app()))


class LengthRequired(exception.Invalid):
    code = http.HTTPStatus.LENGTH_REQUIRED
    msg_fmt = ('cyborg-api needs the Content-Length of a request body; '
               'a chunked body (Transfer-Encoding) is refused.')


def refuse_chunked(app):
    """411, in the contract's shape, for a request with a chunked body.

    granian de-chunks a body itself and, when the chunked framing breaks
    (a bad chunk size, a body cut off before its last chunk), hands the
    application what it read so far as if it were the whole body: a
    truncated document could then be stored. Clients of the API (nova,
    keystoneauth, openstacksdk, curl -d) send Content-Length; a body of
    that length is checked by the application (``body_reader``).
    """
    def refusing(environ, start_response):
        if 'HTTP_TRANSFER_ENCODING' not in environ:
            return app(environ, start_response)
        try:   # read and drop it: a connection closed with unread bytes
            # is reset before the client reads the answer
            body_reader.read_body(environ, CONF.api.max_request_body_size)
        except Exception:  # refused either way
            pass
        exc = LengthRequired()
        LOG.info('%s %s from %s: %s', environ.get('REQUEST_METHOD'),
                 environ.get('PATH_INFO'), environ.get('REMOTE_ADDR'),
                 exc.message)
        response = expose.application_error(exc)
        start_response(response.status, response.headerlist)
        return [response.body]

    return refusing
