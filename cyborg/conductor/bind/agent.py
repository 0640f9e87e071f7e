"""What binding asks of compute agents (internals.md §2.3, decisions D3.1).

The agent that owns a device is found from the device's ``hostname`` (the
compute-node name its agent reported) through the ``agents`` table, never
from the ARQ's ``hostname``. Calls go to topic ``cyborg-agent`` with
``server = <agent host>``, version 1.0, arguments as in §2.3:

* ``create_vgpu_mdev(pci_addr, asked_type, ah_uuid)``
* ``remove_vgpu_mdev(pci_addr, asked_type, ah_uuid)``
* ``fpga_program(controlpath_id, bitstream_uuid, driver_name)`` -> bool

The client is ``cyborg.agent.rpcapi.AgentAPI`` with ``[DEFAULT]
bind_timeout`` as reply timeout (programming an FPGA takes longer than
oslo.messaging's default). Tests may replace :data:`client_factory`.
"""
import json
import logging

from cyborg.common import exception
from cyborg.conf import CONF
from cyborg.db.queries import devices as devices_db

LOG = logging.getLogger(__name__)

MDEV = 'MDEV'


def _default_client():
    from cyborg.agent import rpcapi
    return rpcapi.AgentAPI(timeout=CONF.bind_timeout)


client_factory = _default_client


def _client():
    return client_factory()


def agent_host(context, device_hostname):
    """RPC server name of the agent serving ``device_hostname``."""
    agent = devices_db.owning_agent(context, device_hostname)
    if agent is None:
        raise exception.AgentUnavailable(
            host='%s (no agent has registered for it)' % device_hostname)
    return agent.host


def mdev_args(attach_info):
    """``(pci_addr, asked_type)`` of an MDEV handle's attach_info text."""
    info = json.loads(attach_info) if isinstance(attach_info, str) \
        else attach_info
    pci_addr = '%s:%s:%s.%s' % (info['domain'], info['bus'], info['device'],
                                info['function'])
    return pci_addr, info['asked_type']


def _rpc_failed(host, exc):
    """The agent client raises safe cyborg errors; anything else is
    logged and named by its class only (no text reaches a client)."""
    if isinstance(exc, exception.CyborgException):
        return exc
    LOG.error('Calling the agent on %s failed', host, exc_info=exc)
    return exception.AgentUnavailable(host='%s (%s)' % (
        host, exception.describe(exc)))


def create_mdev(context, work):
    """Ask the owning agent to create the mdev of an MDEV handle."""
    host = agent_host(context, work['device_hostname'])
    pci_addr, asked_type = mdev_args(work['attach_info'])
    try:
        _client().create_vgpu_mdev(context, host, pci_addr, asked_type,
                                   work['handle_uuid'])
    except Exception as exc:
        raise _rpc_failed(host, exc)


def remove_mdev(context, device_hostname, attach_info, handle_uuid):
    """Ask the owning agent to remove the mdev of an MDEV handle."""
    host = agent_host(context, device_hostname)
    pci_addr, asked_type = mdev_args(attach_info)
    try:
        _client().remove_vgpu_mdev(context, host, pci_addr, asked_type,
                                   handle_uuid)
    except Exception as exc:
        raise _rpc_failed(host, exc)


def program(context, work):
    """Program the FPGA behind a work item; raises unless the agent says
    it succeeded (upstream ignored a False result, internals §14 I10)."""
    host = agent_host(context, work['device_hostname'])
    if not work.get('controlpath'):
        raise exception.FPGAProgramError(ret='no control path')
    try:
        ok = _client().fpga_program(context, host, work['controlpath'],
                                    work['bitstream_id'],
                                    work['driver_name'])
    except Exception as exc:
        raise _rpc_failed(host, exc)
    if not ok:
        raise exception.FPGAProgramError(ret=ok)
