"""Periodic work run once per cycle across the cluster.

Every conductor runs a :class:`Runner` with the same :class:`Job` list;
each job has a daemon thread that wakes every ``interval`` seconds (the
first time at once) and then, in this order:

1. tries the job's cluster lock (``coordination``) without waiting: held
   means another conductor is running the job now, skip;
2. claims this cycle in ``periodic_tasks`` (``conductors_db.claim_cycle``,
   a conditional UPDATE of ``next_run_at``): not due means another
   conductor already ran this cycle, skip;
3. runs the job, logging any error (a periodic job survives anything).

The row makes it *once per cycle* (conductors whose timers are out of
phase would otherwise each run it in turn); the lock makes it *never two
at once* when a run outlasts its interval. A conductor that dies loses
nothing: the next cycle is due for whoever wakes first.
"""
import dataclasses
import logging
import threading
import typing

from cyborg import context as cyborg_context
from cyborg.conductor.cluster import coordination
from cyborg.db.queries import conductors as conductors_db

LOG = logging.getLogger(__name__)


@dataclasses.dataclass
class Job:
    name: str
    interval: float
    func: typing.Callable[[], object]


class _Thread:
    def __init__(self, runner, job):
        self.runner, self.job = runner, job
        self.runs = 0
        self.thread = threading.Thread(target=self._loop, daemon=True,
                                       name='periodic-' + job.name)

    def _loop(self):
        stop = self.runner.stopped
        try:
            conductors_db.ensure_task(self.runner.context, self.job.name)
        except Exception:  # noqa: BLE001 - claim_cycle retries below
            LOG.exception('Cannot create periodic task %s', self.job.name)
        while not stop.is_set():
            self.tick()
            if stop.wait(self.job.interval):
                return

    def tick(self):
        """One wake-up; True when this conductor ran the job."""
        job = self.job
        try:
            with coordination.get().try_lock(job.name) as taken:
                if not taken:
                    LOG.debug('Periodic task %s: running elsewhere',
                              job.name)
                    return False
                if not conductors_db.claim_cycle(
                        self.runner.context, job.name, job.interval,
                        self.runner.host):
                    return False
                LOG.info('Periodic task %s: run by %s', job.name,
                         self.runner.host)
                self.runs += 1
                try:
                    job.func()
                except Exception:  # noqa: BLE001 - keep running
                    LOG.exception('Periodic task %s failed', job.name)
                return True
        except Exception:  # noqa: BLE001 - lock or DB trouble: next cycle
            LOG.exception('Periodic task %s: could not be scheduled',
                          job.name)
            return False


class Runner:
    """The periodic jobs of one conductor."""

    def __init__(self, host, jobs, context=None):
        self.host = host
        self.context = context or cyborg_context.get_admin_context()
        self.stopped = threading.Event()
        self.threads = {job.name: _Thread(self, job) for job in jobs}

    def start(self):
        for thread in self.threads.values():
            thread.thread.start()
        return self

    def runs(self, name):
        """How many times this conductor ran job ``name``."""
        return self.threads[name].runs

    def stop(self, timeout=10):
        self.stopped.set()
        for thread in self.threads.values():
            if thread.thread.is_alive() and \
                    thread.thread is not threading.current_thread():
                thread.thread.join(timeout)
