"""The conductor's RPC server, shared by cyborg-conductor and standalone."""
import oslo_messaging as messaging

from cyborg.common import rpc
from cyborg.conductor import manager
from cyborg.conductor import reconcile
from cyborg.conductor import rpcapi
from cyborg.conf import CONF


class ConductorService:
    def __init__(self, host):
        self.host = host
        self.manager = manager.ConductorManager(host=host)
        target = messaging.Target(topic=rpcapi.TOPIC, server=host)
        self.server = rpc.get_server(target, [self.manager])
        self._periodic = []

    def start(self):
        self.server.start()
        init_host = getattr(self.manager, 'init_host', None)
        if init_host:
            init_host()
        # Placement drift repair (D3.5, D3.7).
        self._periodic.append(
            reconcile.start_periodic(CONF.periodic_interval))

    def stop(self):
        for task in self._periodic:
            task.stop()
        self._periodic = []
        self.server.stop()
        self.server.wait()
