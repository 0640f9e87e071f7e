"""Client side of the agent RPC API (topic ``cyborg-agent``).

Version history:

* 1.0 - initial: fpga_program, create_vgpu_mdev, remove_vgpu_mdev
  (internals.md §2.3).

Every method is a blocking ``call`` prepared with ``server=<host>``: the
agent's RPC server name, i.e. ``[DEFAULT] host`` of that agent. Callers
find it in the ``agents`` table from the device's ``hostname`` (decisions
D3.1), never from an ARQ's ``hostname``.
"""
import oslo_messaging as messaging

from cyborg.common import rpc

TOPIC = 'cyborg-agent'
RPC_API_VERSION = '1.0'


class AgentAPI:
    def __init__(self, topic=TOPIC, version_cap=RPC_API_VERSION,
                 timeout=None):
        target = messaging.Target(topic=topic, version=RPC_API_VERSION)
        self.client = rpc.get_client(target, version_cap=version_cap,
                                     timeout=timeout)

    def _prepare(self, host, version='1.0'):
        return self.client.prepare(server=host, version=version)

    def fpga_program(self, context, host, controlpath_id, bitstream_uuid,
                     driver_name):
        """Program the FPGA behind ``controlpath_id``; True/False."""
        return self._prepare(host).call(
            context, 'fpga_program', controlpath_id=controlpath_id,
            bitstream_uuid=bitstream_uuid, driver_name=driver_name)

    def create_vgpu_mdev(self, context, host, pci_addr, asked_type,
                         ah_uuid):
        """Create mediated device ``ah_uuid`` of ``asked_type``."""
        return self._prepare(host).call(
            context, 'create_vgpu_mdev', pci_addr=pci_addr,
            asked_type=asked_type, ah_uuid=ah_uuid)

    def remove_vgpu_mdev(self, context, host, pci_addr, asked_type,
                         ah_uuid):
        """Remove mediated device ``ah_uuid``."""
        return self._prepare(host).call(
            context, 'remove_vgpu_mdev', pci_addr=pci_addr,
            asked_type=asked_type, ah_uuid=ah_uuid)
