"""Named locks that last until the end of the current transaction.

:func:`transaction_lock` serialises the transactions that name the same
key, and only those:

* PostgreSQL: ``pg_advisory_xact_lock`` on a 64-bit hash of the name,
  released by the server at commit or rollback.
* MySQL/MariaDB: ``GET_LOCK``, which belongs to the connection, not to
  the transaction. The names taken are recorded on the pooled connection
  and released with ``RELEASE_LOCK`` when the connection goes back to the
  pool, i.e. after the transaction's commit or rollback and before any
  other thread can check the connection out again. A connection lost in
  between loses its locks on the server anyway.
* SQLite and anything else: nothing; SQLite has a single writer (and the
  callers that need it serialise their SQLite writers in-process).

Take the lock as the transaction's *first* statement: under MySQL's
REPEATABLE READ the snapshot is fixed by the first read, and a snapshot
taken before the lock would hide what the previous holder committed.
"""
import hashlib
import threading

from oslo_db import exception as db_exc
import sqlalchemy as sa

# Seconds a MySQL/MariaDB transaction waits for a named lock before the
# attempt fails as a deadlock (and so is retried by the callers that
# retry deadlocks).
MYSQL_WAIT_S = 30

_INFO_KEY = 'cyborg_named_locks'
_register_lock = threading.Lock()


def _digest(name):
    return hashlib.sha1(name.encode('utf-8'),
                        usedforsecurity=False).digest()


def pg_key(name):
    """The signed 64-bit advisory-lock key of ``name``."""
    return int.from_bytes(_digest(name)[:8], 'big', signed=True)


def mysql_name(name):
    """A ``GET_LOCK`` name for ``name`` (at most 64 characters)."""
    return 'cyborg.' + _digest(name).hex()


def _release_on_checkin(dbapi_connection, connection_record):
    names = connection_record.info.pop(_INFO_KEY, None)
    if not names or dbapi_connection is None:
        return
    cursor = dbapi_connection.cursor()
    try:
        for lock_name in names:
            cursor.execute('DO RELEASE_LOCK(%s)', (lock_name,))
    finally:
        cursor.close()


def _watch(engine):
    with _register_lock:
        if not sa.event.contains(engine.pool, 'checkin',
                                 _release_on_checkin):
            sa.event.listen(engine.pool, 'checkin', _release_on_checkin)


def transaction_lock(session, name):
    """Wait for, then hold until the end of ``session``'s transaction,
    the lock called ``name``."""
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == 'postgresql':
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(
            pg_key(name))))
    elif dialect in ('mysql', 'mariadb'):
        _watch(connection.engine)
        lock_name = mysql_name(name)
        got = session.scalar(sa.select(sa.func.get_lock(
            lock_name, MYSQL_WAIT_S)))
        if got != 1:
            raise db_exc.DBDeadlock(
                'could not take lock %s (%s) in %d s'
                % (name, lock_name, MYSQL_WAIT_S))
        connection.info.setdefault(_INFO_KEY, []).append(lock_name)
