"""The conductor cluster: membership, locks, periodic work, takeover,
the outbox of Nova events.

``Cluster(host)`` is what ``ConductorService`` starts and stops:

* ``join()`` (before the RPC server starts): register ``host`` in the
  ``conductors`` table (``membership``; raises ``HostInUse`` when a live
  conductor has the name) and start the cluster locks (``coordination``);
* ``start_periodic()`` (after the RPC server started): run the periodic
  jobs of :func:`jobs` once per cycle across the cluster (``periodic``);
* ``start_sender()``: deliver the Nova events of the outbox, the
  whole cluster's (``outbox``);
* ``stop()``: stop the jobs, the sender (a short flush first; what is
  not sent stays in the table), the locks, and sign off.
"""
import logging

from cyborg.conductor.cluster import coordination
from cyborg.conductor.cluster import membership
from cyborg.conductor.cluster import outbox
from cyborg.conductor.cluster import periodic
from cyborg.conf import CONF

LOG = logging.getLogger(__name__)

TAKEOVER = 'takeover'
DEADLINES = 'bind-deadlines'
RECONCILE = 'reconcile'
BACKFILL = 'project-backfill'
# Seconds a stopping conductor spends sending the events that are due.
SENDER_FLUSH = 2.0


def jobs(host, conf=CONF):
    """The cluster's periodic jobs, with their intervals."""
    from cyborg import context as cyborg_context
    from cyborg.conductor.bind import recovery
    from cyborg.conductor.cluster import backfill
    from cyborg.conductor.cluster import takeover
    from cyborg.conductor.inventory import reconcile

    def reconcile_all():
        reconcile.reconcile(cyborg_context.get_admin_context())

    return [
        periodic.Job(TAKEOVER, conf.conductor.heartbeat_interval,
                     lambda: takeover.run(host)),
        periodic.Job(DEADLINES, max(conf.bind_timeout / 4.0, 1.0),
                     recovery.sweep),
        periodic.Job(RECONCILE, conf.periodic_interval, reconcile_all),
        periodic.Job(BACKFILL, conf.conductor.backfill_interval,
                     backfill.run_once),
    ]


class Cluster:
    def __init__(self, host, job_list=None):
        self.host = host
        self.member = membership.Member(host)
        self._jobs = job_list
        self.runner = None
        self.sender = None

    def join(self):
        self.member.join()
        try:
            coordination.start(self.host)
        except Exception:
            self.member.leave()
            raise
        return self

    def start_periodic(self):
        job_list = self._jobs if self._jobs is not None else jobs(self.host)
        self.runner = periodic.Runner(self.host, job_list).start()
        return self.runner

    def stop_periodic(self):
        if self.runner is not None:
            self.runner.stop()
            self.runner = None

    def start_sender(self):
        if self.sender is None:
            self.sender = outbox.Sender(self.host).start()
        return self.sender

    def stop_sender(self):
        if self.sender is not None:
            self.sender.stop(flush=SENDER_FLUSH)
            self.sender = None

    def stop(self):
        self.stop_periodic()
        self.stop_sender()
        coordination.stop()
        self.member.leave()
