"""The one transaction context of the service.

Query modules decorate their functions with ``@session.reader`` or
``@session.writer``; the first argument is a RequestContext (or any object
made a transaction-context provider) and ``context.session`` is the
SQLAlchemy session of the current transaction.
"""
import threading

from oslo_db.sqlalchemy import enginefacade

from cyborg.conf import CONF

_main = enginefacade.transaction_context()
_lock = threading.Lock()
_configured = False

reader = _main.reader
writer = _main.writer


def configure(conf=CONF):
    """Bind the context manager to [database]; once per process."""
    global _configured
    with _lock:
        if _configured:
            return
        # Native threads, not eventlet: no sleep(0) on every checkin.
        _main.configure(sqlite_fk=True, thread_checkin=False,
                        **dict(conf.database.items()))
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
