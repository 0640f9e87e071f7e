"""Membership: one row per conductor in ``conductors``, kept alive by a
heartbeat.

:func:`join` registers this process under its ``[DEFAULT] host``:

* a name never seen, or whose row is dead (stopped cleanly, or heartbeat
  older than ``[conductor] heartbeat_timeout``), is taken at once;
* a row written by a process of this machine that no longer exists (a
  conductor restarted after a crash) is taken at once as well;
* otherwise the row may belong to a live conductor elsewhere: we watch
  its heartbeat for two heartbeat intervals. If it moves, a conductor with
  this host name is alive and :class:`HostInUse` is raised (the process
  must exit: two conductors under one RPC server name would share its
  queue and fail each other's binds at restart); if it stays still, the
  row is taken over.

Taking a row over is a compare-and-swap on the row as read, so of two
conductors starting at once with one name, one wins and the other sees a
live heartbeat and refuses.

:class:`Member` then heartbeats every ``[conductor] heartbeat_interval``
in a daemon thread; a heartbeat that finds the row taken by another
process logs an error and stops (the newer process owns the name).
``leave()`` marks the row offline, so a clean restart never waits.
"""
import logging
import os
import socket
import threading
import time
import uuid

from cyborg import context as cyborg_context
from cyborg.conf import CONF
from cyborg.db.queries import conductors as conductors_db

LOG = logging.getLogger(__name__)


class HostInUse(SystemExit):
    """A live conductor already runs under this host name.

    A :class:`SystemExit`, so that the process ends with a non-zero
    status and this message, whatever runs the service.
    """

    def __init__(self, host, row):
        self.host = host
        message = (
            'cyborg-conductor: another conductor is already running with '
            'host name %r (process %s on machine %s, heartbeat at %s UTC). '
            'Give each conductor its own [DEFAULT] host, or stop the other '
            'one first.' % (host, row.pid, row.machine,
                            row.heartbeat_at.isoformat(' ', 'seconds')))
        super().__init__(message)
        self.message = message

    def __str__(self):
        return self.message


def _machine():
    return socket.gethostname()


def _process_gone(row):
    """The row's process ran on this machine and no longer exists."""
    if row.machine != _machine() or not row.pid or row.pid == os.getpid():
        return False
    try:
        os.kill(row.pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False     # exists, but not ours to signal
    return False


class Member:
    """This process's membership: ``join()``, heartbeats, ``leave()``."""

    def __init__(self, host, interval=None, timeout=None, context=None):
        self.host = host
        self.interval = interval or CONF.conductor.heartbeat_interval
        self.timeout = timeout or CONF.conductor.heartbeat_timeout
        self.context = context or cyborg_context.get_admin_context()
        self.instance = str(uuid.uuid4())
        self.beats = 0
        self.lost = False
        self._stop = threading.Event()
        self._thread = None

    # -- join -----------------------------------------------------------

    def join(self):
        """Register, or raise :class:`HostInUse`; then heartbeat."""
        while not self._try_claim():
            pass
        LOG.info('Conductor %s joined the cluster (instance %s)',
                 self.host, self.instance)
        self._thread = threading.Thread(target=self._beat, daemon=True,
                                        name='conductor-heartbeat')
        self._thread.start()
        return self

    def _claim(self, expected):
        return conductors_db.claim(self.context, self.host, self.instance,
                                   _machine(), os.getpid(),
                                   expected=expected)

    def _try_claim(self):
        """One attempt; False when the row changed under us (retry)."""
        row = conductors_db.get(self.context, self.host)
        if row is None:
            return self._claim(None)
        expected = (row.instance, row.heartbeat_at)
        if not conductors_db.is_alive(row, self.timeout):
            LOG.info('Conductor %s: taking over the row of a dead '
                     'conductor (last heartbeat %s)', self.host,
                     row.heartbeat_at)
            return self._claim(expected)
        if _process_gone(row):
            LOG.info('Conductor %s: the previous process %s of this '
                     'machine is gone; taking over its row', self.host,
                     row.pid)
            return self._claim(expected)
        LOG.info('Conductor %s: a row with a recent heartbeat exists; '
                 'watching it for %d s', self.host, 2 * self.interval + 1)
        deadline = time.monotonic() + 2 * self.interval + 1
        while time.monotonic() < deadline:
            time.sleep(min(0.5, self.interval / 2.0))
            now = conductors_db.get(self.context, self.host)
            if now is None:
                return False
            if (now.instance, now.heartbeat_at) != expected:
                if now.online:
                    LOG.error('%s', HostInUse(self.host, now))
                    raise HostInUse(self.host, now)
                return False
        return self._claim(expected)

    # -- heartbeat --------------------------------------------------------

    def _beat(self):
        while not self._stop.wait(self.interval):
            self.beat_once()
            if self.lost:
                return

    def beat_once(self):
        try:
            mine = conductors_db.heartbeat(self.context, self.host,
                                           self.instance)
        except Exception:  # noqa: BLE001 - the DB may come back
            LOG.exception('Conductor %s: heartbeat failed', self.host)
            return
        if not mine:
            self.lost = True
            LOG.error('Conductor %s: another process took over this host '
                      'name in the conductors table; this process stops '
                      'heartbeating. Stop one of them.', self.host)
            return
        self.beats += 1

    def leave(self):
        self._stop.set()
        if self._thread is not None and self._thread.is_alive():
            self._thread.join(self.interval + 5)
        if self.lost:
            return
        try:
            conductors_db.sign_off(self.context, self.host, self.instance)
        except Exception:  # noqa: BLE001 - the heartbeat will expire
            LOG.exception('Conductor %s: could not sign off', self.host)

