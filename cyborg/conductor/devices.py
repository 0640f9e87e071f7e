"""Device enable/disable and deployable programming (api.md §10.4, §11.4).

Enable/disable saves the device status and sets Placement ``reserved`` of
each of its deployables' resource class (the ``rc`` attribute) on the
deployable's provider: ``num_accelerators`` when disabled, ``0`` when
enabled, so a disabled device is unschedulable and existing allocations are
untouched (internals.md §4.4.4, §4.4.7). Deployables are found by the
device's id (upstream looked a deployable up by the device's id, by
mistake). A deployable not yet in Placement (no ``rp_uuid``) is skipped.

Everything that can fail for a missing row is checked before anything is
written. Placement failures raise after the status was saved; the call is
idempotent, so repeating it finishes the job.
"""
import json
import logging

import oslo_messaging as messaging

from cyborg.agent import rpcapi as agent_rpcapi
from cyborg.clients import placement as placement_client
from cyborg.common import exception
from cyborg.db.queries import attributes as attributes_db
from cyborg.db.queries import deployables as deployables_db
from cyborg.db.queries import devices as devices_db
from cyborg.notifications import events as notifications

LOG = logging.getLogger(__name__)

ENABLED = 'enabled'
MAINTAINING = 'maintaining'
NO_AGENT = 'FPGA programming is not available: no agent owns this device'


def _placement():
    return placement_client.PlacementClient()


def _reservations(context, device, enabled):
    """[(deployable, rp_uuid, rc, reserved)] for the device's providers."""
    targets = []
    for dep in deployables_db.of_device(context, device.id):
        if not dep.rp_uuid:
            LOG.debug('Deployable %s of device %s is not in Placement yet',
                      dep.uuid, device.uuid)
            continue
        rc = attributes_db.value_of(context, dep.id, 'rc')
        if rc is None:
            raise exception.AttributeNotFound(
                msg='deployable_id=%s,key=rc' % dep.id)
        reserved = 0 if enabled else dep.num_accelerators
        targets.append((dep, dep.rp_uuid, rc, reserved))
    return targets


def set_enabled(context, device_uuid, enabled):
    """Enable (``enabled``) or disable (``maintaining``) a device."""
    device = devices_db.get_by_uuid(context, device_uuid)
    targets = _reservations(context, device, enabled)
    devices_db.set_status(context, device_uuid,
                          ENABLED if enabled else MAINTAINING)
    notifications.device_enabled(context, device_uuid, enabled)
    if not targets:
        return
    client = _placement()
    for dep, rp_uuid, rc, reserved in targets:
        try:
            client.set_reserved(rp_uuid, rc, reserved)
        except (placement_client.PlacementInventoryNotFound,
                exception.PlacementResourceProviderNotFound) as e:
            # Nothing to reserve yet; the next report creates it.
            LOG.warning('Device %s: deployable %s: %s', device.uuid,
                        dep.uuid, e)
    LOG.info('Device %s is %s', device.uuid,
             ENABLED if enabled else MAINTAINING)


def _agent_api():
    return agent_rpcapi.AgentAPI()


def program(context, deployable_uuid, image_uuid):
    """Program the FPGA of a deployable through the agent that owns it.

    The agent is the one serving the device's host (decisions D3.1);
    without one (none registered, or the device has no control path) this
    raises a 500-class error saying so, never pretending to have
    programmed. Returns the agent's (true) answer; a false one is
    ``FPGAProgramError``.
    """
    dep = deployables_db.get_by_uuid(context, deployable_uuid)
    device = devices_db.get_by_id(context, dep.device_id)
    paths = devices_db.controlpaths(context, device.id)
    agent = devices_db.owning_agent(context, device.hostname)
    if agent is None or not paths:
        raise exception.ServerError(err=NO_AGENT)
    cpid = paths[0]
    controlpath = {'uuid': cpid.uuid, 'device_id': cpid.device_id,
                   'cpid_type': cpid.cpid_type,
                   'cpid_info': json.loads(cpid.cpid_info)}
    try:
        ret = _agent_api().fpga_program(context, agent.host, controlpath,
                                        image_uuid, dep.driver_name)
    except messaging.MessagingTimeout:
        raise exception.AgentUnavailable(host=agent.host)
    if not ret:
        raise exception.FPGAProgramError(ret=ret)
    return ret
