"""The conductor's RPC server, shared by cyborg-conductor and standalone.

At start, before taking requests, the conductor joins the cluster
(``cluster/``: its host name must not be held by a live conductor, else
``HostInUse`` ends the process) and finishes or rolls back the work it
had in progress before a restart (``bind/recovery.py``: binds failed,
decision D3.9; deletes and cut-short unbinds finished). While running,
the cluster's periodic jobs (takeover of dead conductors' work,
``bind_timeout`` and the recovery sweep, Placement reconciliation, the
ARQ ``project_id`` back-fill) run once per cycle across the conductors,
and the outbox sender delivers the cluster's Nova events. At stop it lets
running bind jobs finish (bounded), then stops the sender (events not
sent stay in the outbox) and leaves the cluster.
"""
from oslo_log import log as logging
import oslo_messaging as messaging

from cyborg.common import rpc
from cyborg.conductor import cluster
from cyborg.conductor import manager
from cyborg.conductor import rpcapi
from cyborg.conductor.bind import flow as bind
from cyborg.conductor.bind import recovery

LOG = logging.getLogger(__name__)
_JOBS_STOP_TIMEOUT = 30


class ConductorService:
    def __init__(self, host):
        self.host = host
        self.manager = manager.ConductorManager(host=host)
        target = messaging.Target(topic=rpcapi.TOPIC, server=host)
        self.server = rpc.get_server(target, [self.manager])
        self.cluster = cluster.Cluster(host)

    def start(self):
        self.cluster.join()
        self.cluster.start_sender()
        recovery.recover(host=self.host)
        self.server.start()
        self.cluster.start_periodic()
        LOG.info('cyborg-conductor running as %s', self.host)

    def stop(self):
        self.cluster.stop_periodic()
        self.server.stop()
        self.server.wait()
        bind.wait_jobs(_JOBS_STOP_TIMEOUT)
        self.cluster.stop()
