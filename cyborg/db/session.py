"""The one transaction context of the service.

Query modules decorate their functions with ``@session.reader`` or
``@session.writer``; the first argument is a RequestContext (or any object
made a transaction-context provider) and ``context.session`` is the
SQLAlchemy session of the current transaction.
"""
import functools
import logging
import os
import random
import sqlite3
import threading
import time

from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import enginefacade
import sqlalchemy as sa

from cyborg.conf import CONF

LOG = logging.getLogger(__name__)

_main = enginefacade.transaction_context()
_lock = threading.Lock()
_configured = False

reader = _main.reader
writer = _main.writer

# Seconds a SQLite writer waits for another writer before giving up.
SQLITE_BUSY_TIMEOUT_MS = 30000


def _sqlite_file_tuning(engine):
    """SQLite files (the embedded default): write-ahead logging, so that
    readers never block the writer nor the writer the readers, and a
    generous busy timeout, so that concurrent writers (API, conductor,
    agent reports) queue instead of failing with "database is locked".

    WAL is a property of the file: it is switched on once, here, when the
    engine is created and before any other connection of this process
    exists (switching needs the file to itself); every new connection then
    only sets its busy timeout.

    Connections are pooled (oslo.db gives SQLite files a ``NullPool``):
    opening a connection per transaction made the last one out of the file
    checkpoint the WAL, fsync and delete it on every close, several times
    the cost of the query and the commit. The pool follows ``[database]
    max_pool_size``, ``max_overflow`` and ``pool_timeout``, and a forked
    child (uWSGI, gunicorn and cyborg-api workers) drops the connections
    it inherited without closing them (they belong to the parent).
    No pre-ping (oslo.db's engines have one): a connection to a local file
    has no server that could drop it, and the ping was one more statement
    on every checkout.
    """
    url = engine.url
    if url.get_backend_name() != 'sqlite' or url.database in (None, '',
                                                              ':memory:'):
        return
    _pool_connections(engine)

    @sa.event.listens_for(engine, 'connect')
    def _on_connect(dbapi_conn, record):
        cursor = dbapi_conn.cursor()
        cursor.execute('PRAGMA busy_timeout=%d' % SQLITE_BUSY_TIMEOUT_MS)
        cursor.close()

    raw = engine.raw_connection()   # outside any SQLAlchemy transaction
    try:
        cursor = raw.cursor()
        cursor.execute('PRAGMA journal_mode=WAL')
        cursor.close()
    except Exception as exc:  # another process holds the file: it is
        # either switching it itself or will; the busy timeout still holds
        LOG.warning('Could not switch %s to WAL mode: %s', url.database,
                    exc)
    finally:
        raw.close()


_main.append_on_engine_create(_sqlite_file_tuning)


def begin_on_the_driver(engine):
    """On SQLite, send the ``BEGIN`` of every transaction straight to the
    driver instead of through SQLAlchemy's statement execution.

    oslo.db turns off pysqlite's own transaction handling and begins each
    transaction itself with ``conn.execute(text("BEGIN"))``: a full
    statement execution (cache key, execution context, result object,
    events) that cost more than the query it opens - about 30 us of a
    one-row read's 110 us here. The replacement keeps oslo.db's marker
    (``conn.info['in_transaction']``, cleared by its commit and rollback
    listeners) and its meaning; only the way the ``BEGIN`` is sent
    changes. If oslo.db's listener is not found (a later oslo.db), it is
    left as it is.
    """
    if engine.dialect.name != 'sqlite':
        return
    for listener in list(engine.dispatch.begin):
        if getattr(listener, '__name__', None) == '_sqlite_emit_begin':
            sa.event.remove(engine, 'begin', listener)
            sa.event.listen(engine, 'begin', _begin_on_the_driver)
            return
    LOG.debug('oslo.db SQLite BEGIN listener not found; kept as it is')


def _begin_on_the_driver(conn):
    if 'in_transaction' not in conn.info:
        conn.connection.driver_connection.execute('BEGIN')
        conn.info['in_transaction'] = True


_main.append_on_engine_create(begin_on_the_driver)


def _pool_connections(engine, conf=CONF):
    old = engine.pool
    if not isinstance(old, sa.pool.NullPool):
        return
    db = conf.database
    pool_size = db.max_pool_size if db.max_pool_size is not None else 5
    engine.pool = sa.pool.QueuePool(
        old._creator, pool_size=pool_size,
        max_overflow=db.max_overflow if db.max_overflow is not None else 10,
        timeout=db.pool_timeout if db.pool_timeout is not None else 30,
        recycle=old._recycle, echo=old.echo,
        logging_name=old._orig_logging_name,
        reset_on_return=old._reset_on_return, pre_ping=False,
        _dispatch=old.dispatch, dialect=old._dialect)
    if hasattr(os, 'register_at_fork'):
        os.register_at_fork(
            after_in_child=functools.partial(engine.dispose, close=False))


def _is_writer(db_session):
    """Whether ``db_session`` is the session of a ``@writer`` transaction
    (enginefacade records the mode on the context it runs under)."""
    context = db_session.info.get('using_context')
    if context is None:
        return False
    try:
        current = enginefacade._transaction_ctx_for_context(context)
    except Exception:  # noqa: BLE001 - not an enginefacade transaction
        return False
    return getattr(current, 'mode', None) is enginefacade._WRITER


@sa.event.listens_for(sa.orm.Session, 'after_begin')
def _sqlite_writer_takes_the_lock(db_session, transaction, connection):
    """On SQLite, a writer transaction takes the write lock first thing
    (``BEGIN IMMEDIATE``), waiting its turn under the busy timeout.

    oslo.db begins every SQLite transaction with a plain (deferred)
    ``BEGIN``: a writer then reads first and asks for the write lock at
    its first write, and if another writer committed in between, SQLite
    refuses at once ("database is locked", ``SQLITE_BUSY_SNAPSHOT``: the
    busy timeout cannot help a stale snapshot). Under concurrent writes -
    requests plus a restarted service's start-up work - retries ran out
    and clients saw 500s. A writer that holds the lock from its start
    never has a stale snapshot; readers keep their deferred ``BEGIN`` and
    never wait (WAL).
    """
    # Dialect first: on MySQL and PostgreSQL every transaction passes
    # here, and the writer check reads enginefacade's context.
    if connection.dialect.name == 'sqlite' and _is_writer(db_session):
        take_write_lock(connection)


def take_write_lock(connection):
    """On SQLite, turn the transaction oslo.db just began on
    ``connection`` into a ``BEGIN IMMEDIATE`` one (see
    :func:`_sqlite_writer_takes_the_lock`). ``@writer`` functions get it
    from that hook; a ``@writer.connection`` function (no ORM session)
    calls it first thing."""
    if (connection.dialect.name != 'sqlite'
            or not connection.info.get('in_transaction')):
        return
    # Nothing ran yet in the deferred transaction oslo.db began. Both
    # statements go straight to the driver (see begin_on_the_driver); a
    # busy file still surfaces as SQLAlchemy's OperationalError, which
    # is_busy and retry_on_busy know.
    driver = connection.connection.driver_connection
    if getattr(driver, 'in_transaction', True):
        driver.execute('ROLLBACK')
    try:
        driver.execute('BEGIN IMMEDIATE')
    except sqlite3.Error as exc:
        raise sa.exc.OperationalError('BEGIN IMMEDIATE', (), exc) from exc


def configure(conf=CONF):
    """Bind the context manager to [database]; once per process."""
    global _configured
    with _lock:
        if _configured:
            return
        # Native threads, not eventlet: no sleep(0) on every checkin.
        options = dict(conf.database.items())
        options.pop('mysql_engine', None)   # ours; used by migrations only
        _main.configure(sqlite_fk=True, thread_checkin=False, **options)
        _configured = True


def get_engine():
    configure()
    return _main.writer.get_engine()


def use_engine(engine):
    """Make every reader/writer use ``engine``; returns an undo callable.

    Tests use it to point the service at their own database.
    """
    global _configured
    _configured = True
    return _main.patch_engine(engine)


# A transaction that lost a race is re-run until it wins or this much time
# has passed (the same patience as SQLite's busy timeout); several writer
# processes on one SQLite file under steady load can make one lose many
# times in a row, so a fixed small count of attempts is not enough.
BUSY_RETRY_SECONDS = SQLITE_BUSY_TIMEOUT_MS / 1000.0


def is_busy(exc):
    """A deadlock, or SQLite refusing a write because another writer
    committed since this transaction began ("database is locked" without
    waiting: waiting cannot help a stale snapshot)."""
    if isinstance(exc, db_exc.DBDeadlock):
        return True
    return (isinstance(exc, (db_exc.DBError, sa.exc.OperationalError))
            and 'database is locked' in str(exc))


def retry_on_busy(fn):
    """Re-run a whole writer transaction that lost a race (see
    :func:`is_busy`) until it commits or :data:`BUSY_RETRY_SECONDS` have
    passed. Put it OUTSIDE ``@writer``, on functions that are never called
    inside another transaction."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        deadline = time.monotonic() + BUSY_RETRY_SECONDS
        attempt = 0
        while True:
            try:
                return fn(*args, **kwargs)
            except Exception as exc:
                if not is_busy(exc) or time.monotonic() >= deadline:
                    raise
                attempt += 1
                LOG.debug('Retrying %s (attempt %d) after %s',
                          fn.__name__, attempt, exc)
                # jittered, growing to at most ~0.2 s between attempts
                time.sleep(random.uniform(0.005, 0.05) * min(attempt, 4))
    return wrapper
