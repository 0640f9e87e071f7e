"""The service's engine on a SQLite file (``session._sqlite_file_tuning``,
run by the transaction factory on every engine it creates): WAL, the busy
timeout on every connection, and connections pooled instead of opened and
closed per transaction (which checkpointed and deleted the WAL each time);
a forked worker does not reuse its parent's connections."""
import os

from oslo_db.sqlalchemy import engines
import sqlalchemy as sa

from cyborg.db import session


def _engine(path):
    engine = engines.create_engine('sqlite:///' + path, sqlite_fk=True,
                                   thread_checkin=False)
    session._sqlite_file_tuning(engine)
    return engine


def test_connections_are_pooled_with_wal_and_busy_timeout(tmp_path):
    path = str(tmp_path / 'c.sqlite')
    engine = _engine(path)
    try:
        assert isinstance(engine.pool, sa.pool.QueuePool)
        seen = set()
        for _ in range(3):
            with engine.begin() as conn:
                seen.add(id(conn.connection.dbapi_connection))
                assert conn.exec_driver_sql(
                    'PRAGMA busy_timeout').scalar() == \
                    session.SQLITE_BUSY_TIMEOUT_MS
                assert conn.exec_driver_sql(
                    'PRAGMA journal_mode').scalar() == 'wal'
                assert conn.exec_driver_sql(
                    'PRAGMA foreign_keys').scalar() == 1
                conn.exec_driver_sql(
                    'CREATE TABLE IF NOT EXISTS t (v INTEGER)')
                conn.exec_driver_sql('INSERT INTO t VALUES (1)')
            # the WAL outlives the transaction: no checkpoint-and-delete on
            # every close of the last connection
            assert os.path.exists(path + '-wal')
        assert len(seen) == 1
    finally:
        engine.dispose()


def test_forked_child_opens_its_own_connections(tmp_path):
    path = str(tmp_path / 'c.sqlite')
    engine = _engine(path)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql('CREATE TABLE t (v INTEGER)')
        assert engine.pool.checkedin() == 1
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:   # child: report what its pool holds, then use it
            code = 1
            try:
                held = engine.pool.checkedin()
                with engine.begin() as conn:
                    conn.exec_driver_sql('INSERT INTO t VALUES (2)')
                os.write(write, b'%d' % held)
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        _, status = os.waitpid(pid, 0)
        held = os.read(read, 16)
        os.close(read)
        assert os.waitstatus_to_exitcode(status) == 0
        assert held == b'0'
        # the parent's pooled connection still works and sees the row
        assert engine.pool.checkedin() == 1
        with engine.connect() as conn:
            assert conn.exec_driver_sql('SELECT v FROM t').scalar() == 2
    finally:
        engine.dispose()
