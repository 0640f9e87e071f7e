"""Client side of the agent RPC API (topic ``cyborg-agent``).

Version history:

* 1.0 - initial: fpga_program, create_vgpu_mdev, remove_vgpu_mdev
  (internals.md §2.3).

Every method is a blocking ``call`` prepared with ``server=<host>``: the
agent's RPC server name, i.e. ``[DEFAULT] host`` of that agent. Callers
find it in the ``agents`` table from the device's ``hostname`` (decisions
D3.1), never from an ARQ's ``hostname``.

A failed call raises a cyborg error that is safe to pass on to a client
(:func:`call_failed`): the agent's own cyborg errors keep their class and
message (without the agent's traceback), an agent that does not answer in
time is ``AgentUnavailable``, anything else the agent raised is
``AgentCallFailed`` naming only the error's class and the request id. The
details (the agent's traceback included) are logged here, at ERROR, with
the request id; the agent logs its side under the same request id.
"""
import logging

import oslo_messaging as messaging

from cyborg.common import exception
from cyborg.common import rpc

LOG = logging.getLogger(__name__)

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

    def _call(self, context, host, method, **kwargs):
        try:
            return self._prepare(host).call(context, method, **kwargs)
        except Exception as exc:  # noqa: BLE001 - translated, logged
            raise call_failed(context, host, method, exc) from None

    def fpga_program(self, context, host, controlpath_id, bitstream_uuid,
                     driver_name):
        """Program the FPGA behind ``controlpath_id``; True/False."""
        return self._call(
            context, host, 'fpga_program', controlpath_id=controlpath_id,
            bitstream_uuid=bitstream_uuid, driver_name=driver_name)

    def create_vgpu_mdev(self, context, host, pci_addr, asked_type,
                         ah_uuid):
        """Create mediated device ``ah_uuid`` of ``asked_type``."""
        return self._call(
            context, host, 'create_vgpu_mdev', pci_addr=pci_addr,
            asked_type=asked_type, ah_uuid=ah_uuid)

    def remove_vgpu_mdev(self, context, host, pci_addr, asked_type,
                         ah_uuid):
        """Remove mediated device ``ah_uuid``."""
        return self._call(
            context, host, 'remove_vgpu_mdev', pci_addr=pci_addr,
            asked_type=asked_type, ah_uuid=ah_uuid)


_ACTIONS = {'fpga_program': 'program an FPGA',
            'create_vgpu_mdev': 'create a mediated device',
            'remove_vgpu_mdev': 'remove a mediated device'}


def call_failed(context, host, method, exc):
    """The error to raise for a failed call of ``method`` on ``host``."""
    request_id = getattr(context, 'request_id', None) or 'unknown'
    action = _ACTIONS.get(method, method)
    if isinstance(exc, messaging.MessagingTimeout):
        LOG.error('Agent %s did not answer %s in time (request %s)', host,
                  method, request_id)
        return exception.AgentUnavailable(host=host)
    if isinstance(exc, exception.CyborgException):
        local = rpc.local_copy(exc)
        if int(local.code) >= 500:
            LOG.error('Agent %s failed to %s (request %s): %s\n%s', host,
                      action, request_id, local.message, rpc.remote_trace(exc))
        return local
    if rpc.is_remote(exc):
        LOG.error('Agent %s failed to %s (request %s): %s', host, action,
                  request_id, rpc.remote_trace(exc))
    else:
        LOG.error('Calling %s on agent %s failed (request %s)', method, host,
                  request_id, exc_info=exc)
    return exception.AgentCallFailed(host=host, action=action,
                                     reason=exception.describe(exc),
                                     request_id=request_id)
