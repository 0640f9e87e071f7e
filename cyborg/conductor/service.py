"""The conductor's RPC server, shared by cyborg-conductor and standalone."""
import oslo_messaging as messaging

from cyborg.common import rpc
from cyborg.conductor import manager
from cyborg.conductor import rpcapi


class ConductorService:
    def __init__(self, host):
        self.host = host
        self.manager = manager.ConductorManager(host=host)
        target = messaging.Target(topic=rpcapi.TOPIC, server=host)
        self.server = rpc.get_server(target, [self.manager])

    def start(self):
        self.server.start()
        init_host = getattr(self.manager, 'init_host', None)
        if init_host:
            init_host()

    def stop(self):
        self.server.stop()
        self.server.wait()
