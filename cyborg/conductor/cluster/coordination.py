"""Locks of the conductor cluster: tooz, on the database by default.

:func:`get` returns the process's :class:`Coordinator`, whose
``try_lock(name)`` is a context manager yielding whether the lock was
taken (never waiting: a conductor that finds the lock held skips the work,
someone else is doing it).

Where the locks live:

* ``[coordination] backend_url`` set: that tooz backend (etcd3, Redis,
  ZooKeeper, or any other tooz URL);
* unset, on MySQL/MariaDB or PostgreSQL: tooz's ``mysql://`` or
  ``postgresql://`` driver on the ``[database] connection`` (``GET_LOCK``
  / advisory locks, held by a connection of their own, so a conductor
  that dies or loses the database loses its locks);
* unset, on SQLite: an in-process lock. A SQLite database has one
  conductor (standalone), so that is all the exclusion needed.
"""
import contextlib
import logging
import threading

import sqlalchemy as sa

from cyborg.conf import CONF

LOG = logging.getLogger(__name__)

_lock = threading.Lock()
_current = []


def tooz_url(conf=CONF):
    """The tooz URL to use, or None for in-process locks."""
    if conf.coordination.backend_url:
        return conf.coordination.backend_url
    url = sa.engine.make_url(conf.database.connection or 'sqlite://')
    backend = url.get_backend_name()
    if backend == 'mysql':
        scheme = 'mysql'
    elif backend == 'postgresql':
        scheme = 'postgresql'
    else:
        return None
    # tooz passes the query string as driver options; ours (charset,
    # search_path...) mean nothing to it.
    plain = url.set(drivername=scheme, query={})
    return plain.render_as_string(hide_password=False)


class LocalCoordinator:
    """Process-local locks (SQLite: a single conductor)."""

    backend = 'local'

    def __init__(self):
        self._locks = {}
        self._guard = threading.Lock()

    def start(self):
        return self

    def stop(self):
        pass

    @contextlib.contextmanager
    def try_lock(self, name):
        with self._guard:
            lock = self._locks.setdefault(name, threading.Lock())
        taken = lock.acquire(blocking=False)
        try:
            yield taken
        finally:
            if taken:
                lock.release()


class ToozCoordinator:
    """Locks from a tooz backend."""

    def __init__(self, url, member_id):
        from tooz import coordination
        self.backend = url.split(':', 1)[0]
        self._coordinator = coordination.get_coordinator(
            url, member_id.encode('utf-8'))
        self._locks = {}
        self._guard = threading.Lock()

    def start(self):
        self._coordinator.start(start_heart=True)
        return self

    def stop(self):
        try:
            self._coordinator.stop()
        except Exception:  # noqa: BLE001 - stopping anyway
            LOG.exception('Stopping the tooz coordinator failed')

    def _get(self, name):
        with self._guard:
            if name not in self._locks:
                self._locks[name] = self._coordinator.get_lock(
                    ('cyborg-' + name).encode('utf-8'))
            return self._locks[name]

    @contextlib.contextmanager
    def try_lock(self, name):
        lock = self._get(name)
        taken = bool(lock.acquire(blocking=False))
        try:
            yield taken
        finally:
            if taken:
                try:
                    lock.release()
                except Exception:  # noqa: BLE001 - the lock expires
                    LOG.exception('Releasing lock %s failed', name)


def start(member_id, conf=CONF):
    """Build and start the process's coordinator (conductor start)."""
    url = tooz_url(conf)
    coordinator = (ToozCoordinator(url, member_id) if url
                   else LocalCoordinator()).start()
    LOG.info('Cluster locks: %s', coordinator.backend)
    with _lock:
        old, _current[:] = list(_current), [coordinator]
    for stale in old:
        stale.stop()
    return coordinator


def get():
    """The started coordinator, or a local one when none was started."""
    with _lock:
        if not _current:
            _current.append(LocalCoordinator())
        return _current[0]


def stop():
    with _lock:
        old, _current[:] = list(_current), []
    for coordinator in old:
        coordinator.stop()
