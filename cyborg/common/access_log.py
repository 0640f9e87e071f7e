"""The access log of cyborg-api and the standalone mode: one INFO line per
request on the ``cyborg.api.access`` logger (client, request line, status,
time), written off the request's thread.

Formatting a line with oslo.log's context formatter costs more than
serving a small request, so the request thread only builds the log record
(with the request context it ran under) and queues it; a thread of the
process hands the queued records, in order, to the ``cyborg.api.access``
logger (its filters, its handlers, then the root logger's, as configured)
every :data:`WRITE_INTERVAL` seconds. Waking that thread for each line
instead cost a served ``GET /`` more CPU than the formatting itself
(thread wake-up and the GIL passed back and forth while the response was
still being sent): about 110 us per request against 30 us.

The thread is started on the first line of each process (a forked child
starts its own; no line is being written while a process forks) and
drains the queue at exit; a process killed with SIGKILL loses the lines
not yet written (at most the last :data:`WRITE_INTERVAL` seconds').
"""
import atexit
import logging
from multiprocessing import util as mp_util
import os
import queue
import threading
import time

from oslo_context import context as oslo_context

ACCESS_LOG = logging.getLogger('cyborg.api.access')
FORMAT = '%s "%s %s%s" status: %s time: %.4f'
# Seconds between two writes of the queued lines.
WRITE_INTERVAL = 0.1


class _Writer:
    """The queue and the thread writing its records, one per process."""

    def __init__(self):
        self._reset()
        self.finalized_in = None

    def _reset(self):
        self.queue = queue.SimpleQueue()
        self.thread = None
        self.pid = None
        self.lock = threading.Lock()
        # held while a record is written, and across a fork: the child
        # must not inherit a handler's stream locked mid-write
        self.writing = threading.Lock()

    def put(self, record):
        if self.pid != os.getpid():
            self._start()
        self.queue.put(record)

    def _start(self):
        with self.lock:
            if self.pid == os.getpid():
                return
            self.stop = threading.Event()   # a flushed one stays set
            self.thread = threading.Thread(target=self._run, daemon=True,
                                           name='access-log')
            self.thread.start()
            self.pid = os.getpid()
            if self.finalized_in != self.pid:
                # a multiprocessing child ends with os._exit: no atexit
                mp_util.Finalize(self, self.flush, exitpriority=100)
                self.finalized_in = self.pid

    def _run(self):
        stop = self.stop
        while not stop.wait(WRITE_INTERVAL):
            self._write_queued()
        self._write_queued()

    def _write_queued(self):
        with self.writing:
            while True:
                try:
                    record = self.queue.get_nowait()
                except queue.Empty:
                    return
                try:
                    ACCESS_LOG.handle(record)
                except Exception:  # noqa: BLE001,S112 - a broken handler
                    continue       # must not stop the log

    def flush(self, timeout=5):
        """Write what is queued and stop the thread (at exit)."""
        thread = self.thread
        if thread is None or self.pid != os.getpid():
            return
        self.stop.set()
        thread.join(timeout)
        self.thread, self.pid = None, None

    def before_fork(self):
        self.writing.acquire()

    def after_fork_in_parent(self):
        self.writing.release()

    def after_fork_in_child(self):
        self._reset()          # the parent's thread and queue are not ours


_WRITER = _Writer()
atexit.register(_WRITER.flush)
os.register_at_fork(before=_WRITER.before_fork,
                    after_in_parent=_WRITER.after_fork_in_parent,
                    after_in_child=_WRITER.after_fork_in_child)


def _record(environ, status, elapsed):
    query = environ.get('QUERY_STRING')
    return ACCESS_LOG.makeRecord(
        ACCESS_LOG.name, logging.INFO, __file__, 0, FORMAT,
        (environ.get('REMOTE_ADDR', '-'), environ.get('REQUEST_METHOD'),
         environ.get('PATH_INFO', ''), '?' + query if query else '',
         status.split(' ', 1)[0] if status else '-', elapsed),
        None, extra={'context': oslo_context.get_current()})


def access_logged(app):
    """``app`` with one access-log line per request."""

    def logged(environ, start_response):
        started = time.monotonic()
        seen = []

        def _start_response(status, headers, exc_info=None):
            seen.append(status)
            return start_response(status, headers, exc_info)

        try:
            return app(environ, _start_response)
        finally:
            if ACCESS_LOG.isEnabledFor(logging.INFO):
                _WRITER.put(_record(environ, seen[0] if seen else None,
                                    time.monotonic() - started))

    return logged
