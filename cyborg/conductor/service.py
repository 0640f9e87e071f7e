"""The conductor's RPC server, shared by cyborg-conductor and standalone.

At start, before taking requests, the conductor fails the binds it had
started before a restart (decision D3.9); while running it enforces
``bind_timeout`` and reconciles Placement periodically. Once started it
back-fills ARQ ``project_id`` from Nova in the background (``backfill``;
never blocks or fails start-up). At stop it lets
running bind jobs finish (bounded) and stops the Nova notifier.
"""
import oslo_messaging as messaging

from cyborg import context as cyborg_context
from cyborg.clients import nova
from cyborg.common import rpc
from cyborg.common import service as cyborg_service
from cyborg.conductor import backfill
from cyborg.conductor import bind
from cyborg.conductor import deadlines
from cyborg.conductor import manager
from cyborg.conductor import reconcile
from cyborg.conductor import rpcapi
from cyborg.conf import CONF

_JOBS_STOP_TIMEOUT = 30


def _reconcile():
    reconcile.reconcile(cyborg_context.get_admin_context())


class ConductorService:
    def __init__(self, host):
        self.host = host
        self.manager = manager.ConductorManager(host=host)
        target = messaging.Target(topic=rpcapi.TOPIC, server=host)
        self.server = rpc.get_server(target, [self.manager])
        self._periodic = []

    def start(self):
        deadlines.recover(host=self.host)
        self.server.start()
        # oslo.service periodic calls: bind deadlines every quarter of
        # bind_timeout (first after one period), reconcile at once and then
        # every periodic_interval.
        deadline_every = max(CONF.bind_timeout / 4.0, 1.0)
        self._periodic = [
            cyborg_service.periodic(deadlines.enforce, deadline_every,
                                    initial_delay=deadline_every,
                                    name='bind deadlines'),
            cyborg_service.periodic(_reconcile, CONF.periodic_interval,
                                    name='Placement reconciliation'),
        ]
        backfill.start_background()

    def stop(self):
        for task in self._periodic:
            task.stop()
        self._periodic = []
        self.server.stop()
        self.server.wait()
        bind.wait_jobs(_JOBS_STOP_TIMEOUT)
        nova.reset()
