"""WSGI entry point: ``cyborg.api.wsgi:application`` for WSGI servers.

Usually mounted at ``/accelerator``; links follow the mount point (or
``[api] public_endpoint``). The application is built on first access.
"""
import threading

from cyborg.api import app as api_app
from cyborg.cmd import common
from cyborg.db import session

_lock = threading.Lock()
_application = None


def init_application():
    common.parse_args([])
    session.configure()
    return api_app.setup_app()


def __getattr__(name):
    global _application
    if name != 'application':
        raise AttributeError(name)
    with _lock:
        if _application is None:
            _application = init_application()
    return _application
