"""Service processes on oslo.service's threading backend.

cyborg runs on native threads. Two things make sure no service process
loads eventlet:

* :func:`prepare` selects oslo.service's threading backend. It must run
  before oslo.messaging is imported: oslo.messaging's server module imports
  ``oslo_service.service``, which picks the backend (eventlet by default)
  the moment it is imported. ``cyborg.cmd`` and ``cyborg.wsgi`` call it
  first thing.
* oslo.utils and oslo.messaging probe for eventlet with ``try_import``
  whenever it is installed. :func:`prepare` installs an import hook that
  makes that probe fail (``ImportError``), so they take their native
  thread path and the 0.2 s import (and its deprecation warning) never
  happens. When the hosting process already uses eventlet (a WSGI server
  with eventlet workers), nothing is blocked.

The launchers: :func:`launch` runs a service in oslo.service's
``ServiceLauncher``/``ProcessLauncher`` (cotyledon: a master process that
keeps ``workers`` children alive, graceful stop on SIGTERM within
``[DEFAULT] graceful_shutdown_timeout``, SIGHUP re-reads the mutable
options in the master and restarts the children gracefully).
"""
import importlib.abc
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time

LOG = logging.getLogger(__name__)

_BLOCKED = 'eventlet'


class _NoEventlet(importlib.abc.MetaPathFinder):
    """Refuse ``import eventlet`` (and its submodules)."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname == _BLOCKED or fullname.startswith(_BLOCKED + '.'):
            raise ImportError('cyborg service processes run on native '
                              'threads; eventlet is not loaded',
                              name=fullname)
        return None


def _block_eventlet():
    if _BLOCKED in sys.modules:
        return False
    if not any(isinstance(f, _NoEventlet) for f in sys.meta_path):
        sys.meta_path.insert(0, _NoEventlet())
    return True


def prepare():
    """Select oslo.service's threading backend; keep eventlet out.

    Safe to call more than once. Returns True when the threading backend
    is the one in use.
    """
    _block_eventlet()
    from oslo_service import backend
    current = backend.get_backend_type()
    if current is None:
        backend.init_backend(backend.BackendType.THREADING)
        return True
    if current is not backend.BackendType.THREADING:
        LOG.warning('oslo.service backend %s was selected before cyborg '
                    'could choose threading', current.value)
        return False
    return True


prepare()

from oslo_service import loopingcall  # noqa: E402 - after the backend
from oslo_service import service as os_service  # noqa: E402

_PARENT_POLL = 0.2
# Seconds the main thread waits at a time for its services to stop.
SIGNAL_CHECK_INTERVAL = 0.5


def _die_with_parent(master, poll=_PARENT_POLL):
    """In a launcher's child: be killed when the master dies.

    A master killed with SIGKILL cannot stop its children; one left
    running would go on heartbeating, serving and holding its host name
    as though nothing had happened. A daemon thread watches the parent
    pid and kills this process when the master is gone (the child is
    re-parented). The kernel's parent-death signal (PR_SET_PDEATHSIG)
    does not fit: it fires when the *thread* that forked the child ends,
    and cotyledon forks from a supervisor thread that its master joins
    on SIGTERM, which would kill children in the middle of their
    graceful drain.
    """
    if os.getppid() != master:          # the master died before we looked
        os._exit(1)

    def watch():
        while os.getppid() == master:
            time.sleep(poll)
        LOG.error('launcher master %d is gone; exiting', master)
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name='parent-watch',
                     daemon=True).start()


class Managed(os_service.ServiceBase):
    """An oslo.service service around an object with start() and stop().

    ``factory`` builds the object in the process that runs it (a launcher's
    child), so that database engines, RPC transports and threads are never
    inherited across fork. ``wait()`` returns once stop() has run.
    """

    def __init__(self, factory, name=None):
        super().__init__()
        self.factory = factory
        self.name = name or getattr(factory, '__name__', 'service')
        self.part = None
        self._stopped = threading.Event()
        self._master = os.getpid()
        # Set by a child whose start failed: the launcher stops and the
        # process exits 1 instead of restarting a service that cannot run.
        self.failed = multiprocessing.get_context('fork').Value('b', 0)

    def start(self):
        self._stopped.clear()
        if os.getpid() != self._master:
            _die_with_parent(self._master)
        try:
            self.part = self.factory()
            self.part.start()
        except BaseException as exc:  # SystemExit too (conductor HostInUse)
            if isinstance(exc, SystemExit):
                LOG.error('%s refused to start: %s', self.name, exc)
            else:
                LOG.exception('%s failed to start', self.name)
            self.failed.value = 1
            if os.getpid() != self._master:
                os.kill(self._master, signal.SIGTERM)
            self._stopped.set()
            if isinstance(exc, SystemExit) and not isinstance(exc.code, int):
                # cotyledon exits a worker with the code as given: a number.
                raise SystemExit(1) from exc
            raise

    def stop(self, graceful=True):
        part, self.part = self.part, None
        try:
            if part is not None:
                part.stop()
        finally:
            self._stopped.set()

    def wait(self):
        # In short waits, not one: Python runs a signal's handler in the
        # main thread only, and when the kernel hands SIGINT or SIGTERM to
        # another thread, a main thread blocked in one endless wait never
        # gets to run it (a standalone Ctrl-C then hung).
        while not self._stopped.wait(SIGNAL_CHECK_INTERVAL):
            pass

    def reset(self):
        """SIGHUP in a single-process launcher: mutable options were
        already re-read; nothing to rebuild."""


class Periodic:
    """``func`` every ``interval`` seconds on oslo.service's
    FixedIntervalLoopingCall; an exception is logged and the next run
    happens on time. ``stop()`` waits for a run in progress."""

    def __init__(self, func, interval, initial_delay=None, name=None):
        self.func = func
        self.name = name or getattr(func, '__name__', 'periodic task')
        self.runs = 0
        self._call = loopingcall.FixedIntervalLoopingCall(self._run_once)
        self._call.start(interval=interval, initial_delay=initial_delay)

    def _run_once(self):
        try:
            self.func()
        except Exception:  # a periodic task survives anything
            LOG.exception('Periodic task %s failed', self.name)
        self.runs += 1

    def stop(self, timeout=None):
        self._call.stop()
        if timeout is None or timeout > 0:
            self._call.wait()


def periodic(func, interval, initial_delay=None, name=None):
    return Periodic(func, interval, initial_delay=initial_delay, name=name)


def register_opts(conf):
    """oslo.service's [DEFAULT] options (graceful_shutdown_timeout, ...),
    which its launchers otherwise register only when they are built."""
    from oslo_service import opts
    opts.register_service_opts(conf)


def launch(conf, service, workers=1):
    """Run ``service`` in oslo.service's launcher; returns the launcher.

    Each of ``workers`` child processes runs ``service.start()``, then
    ``service.wait()``; SIGTERM calls ``service.stop()``. Config files are
    mutated (not reloaded) on SIGHUP, so only options marked mutable
    change, in the master and in every restarted child.
    """
    return os_service.launch(conf, service, workers=workers,
                                    restart_method='mutate')


def run(conf, service, workers=1):
    """:func:`launch` and wait; returns the exit status."""
    launcher = launch(conf, service, workers=workers)
    status = launcher.wait()
    if getattr(service, 'failed', None) is not None and service.failed.value:
        return 1
    return status or 0


def run_in_process(conf, service):
    """Run ``service`` in this process with oslo.service's ``Launcher``;
    SIGINT and SIGTERM (oslo.service's SignalHandler) stop it cleanly.
    Returns the exit status: 1 when the service failed to start."""
    launcher = os_service.Launcher(conf, restart_method='mutate')
    handler = os_service.SignalHandler()

    def _exit(signo, frame):
        raise os_service.SignalExit(signo)

    handler.add_handlers(('SIGTERM', 'SIGINT'), _exit)
    launcher.launch_service(service)
    try:
        launcher.wait()
    except os_service.SignalExit as exc:
        LOG.info('Caught signal %s, stopping', exc.signo)
    finally:
        handler.clear()
        launcher.stop()
    return 1 if service.failed.value else 0
