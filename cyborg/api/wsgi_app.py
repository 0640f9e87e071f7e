"""Building the API application for a WSGI server.

:func:`config_args` finds the configuration of a process that a WSGI server
started (see ``cyborg.wsgi.api``); :func:`init_application` parses it,
sets up logging and the database, and returns the application.
"""
import os
import sys

from cyborg.api import app as api_app
from cyborg.cmd import common
from cyborg.db import session

ENV_FILES = 'OS_CYBORG_CONFIG_FILES'
ENV_DIR = 'OS_CYBORG_CONFIG_DIR'
_OPTIONS = ('--config-file', '--config-dir')


def _from_argv(argv):
    """Only ``--config-file``/``--config-dir`` (``X`` or ``=X``) of argv;
    the rest belongs to the WSGI server."""
    found = []
    args = list(argv)
    i = 0
    while i < len(args):
        arg = args[i]
        for option in _OPTIONS:
            if arg == option and i + 1 < len(args):
                found += [option, args[i + 1]]
                i += 1
                break
            if arg.startswith(option + '='):
                found += [option, arg[len(option) + 1:]]
                break
        i += 1
    return found


def _from_environ(environ):
    directory = environ.get(ENV_DIR, '').strip()
    files = [f.strip() for f in environ.get(ENV_FILES, '').split(';')
             if f.strip()]
    if files:
        args = []
        for name in files:
            if directory and not os.path.isabs(name):
                name = os.path.join(directory, name)
            args += ['--config-file', name]
        return args
    if directory:
        return ['--config-dir', directory]
    return []


def config_args(argv=None, environ=None):
    """oslo.config arguments: argv first, then the environment; ``[]``
    lets oslo.config read its default locations."""
    argv = sys.argv[1:] if argv is None else argv
    environ = os.environ if environ is None else environ
    return _from_argv(argv) or _from_environ(environ)


def init_application(argv=None, environ=None):
    common.parse_args(config_args(argv, environ))
    session.configure()
    return api_app.setup_app()
