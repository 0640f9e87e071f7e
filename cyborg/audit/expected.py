"""What the database says Placement should hold (the audit's left side).

Per host (``devices.hostname``, the compute-node provider name):

* one :class:`~cyborg.conductor.inventory.placement.Wanted` per deployable
  with an ``rc`` attribute, built exactly as the inventory flow and the
  periodic reconciliation build it (so the audit and the conductor agree
  on what "in sync" means);
* the allocations instances should hold: for every ARQ that is ``Bound``
  or ``BindStarted`` (Nova allocates before it binds), the amounts its
  device-profile group asks for (``resources:<RC>``) on the ARQ's
  ``device_rp_uuid``, summed per instance and provider;
* for every ``Bound`` ARQ, that it holds an attach handle that is in use
  and belongs to the deployable of its ``device_rp_uuid`` (otherwise the
  device Nova was given is not the one the ARQ holds);
* the instances whose ARQs are being unbound or deleted
  (``UnbindFailed``, ``Deleting``): their allocations may or may not still
  exist, so neither presence nor absence is a difference.

Four queries per audit whatever the size (deployables, attributes,
ARQs with their handles, agents).
"""
import collections
import dataclasses
import json

import sqlalchemy as sa

from cyborg.common import states
from cyborg.conductor.inventory import placement as rp_sync
from cyborg.db import models
from cyborg.db import session
from cyborg.db.queries import inventory as inventory_db

EXPECTS_ALLOCATION = (states.BOUND, states.BIND_STARTED)
TOLERATED = (states.UNBIND_FAILED, states.DELETING)
_RESOURCES = 'resources:'


@dataclasses.dataclass
class Deployable:
    """One deployable row and the provider it should have."""

    id: int
    name: str
    stored_rp_uuid: str | None
    want: rp_sync.Wanted


@dataclasses.dataclass
class Host:
    """Everything the database expects of one compute node."""

    name: str
    deployables: list = dataclasses.field(default_factory=list)
    # (consumer uuid, provider uuid) -> {rc: amount}
    allocations: dict = dataclasses.field(default_factory=dict)
    # consumers whose allocations are in flux (unbind/delete under way)
    tolerated: set = dataclasses.field(default_factory=set)
    # ARQ uuid -> provider uuid, for bound ARQs naming an unknown provider
    unknown_providers: dict = dataclasses.field(default_factory=dict)
    # (ARQ uuid, provider uuid, what is wrong with its attach handle)
    bad_handles: list = dataclasses.field(default_factory=list)

    def by_rp_uuid(self):
        return {d.want.rp_uuid: d for d in self.deployables}


def _wanted(dep):
    return rp_sync.wanted_for(
        dep.id, dep.name, dep.num_accelerators, dep.attributes,
        disabled=dep.device_status == 'maintaining',
        pending=dep.pending_removal)


def group_resources(profile_json, group_id):
    """{rc: amount} asked by group ``group_id`` of a profile."""
    try:
        groups = json.loads(profile_json).get('groups') or []
        group = groups[group_id]
    except (ValueError, IndexError, TypeError, AttributeError):
        return {}
    wanted = {}
    for key, value in group.items():
        if key.startswith(_RESOURCES):
            try:
                wanted[key[len(_RESOURCES):]] = int(value)
            except (TypeError, ValueError):
                continue
    return wanted


@session.reader
def _holding_arqs(context, hostname=None):
    arq, dp = models.ExtArq, models.DeviceProfile
    ah, dep = models.AttachHandle, models.Deployable
    query = (sa.select(arq.uuid, arq.state, arq.instance_uuid,
                       arq.device_rp_uuid, arq.hostname,
                       arq.device_profile_group_id, dp.profile_json,
                       ah.uuid.label('handle_uuid'),
                       ah.in_use.label('handle_in_use'),
                       dep.name.label('handle_deployable'))
             .join(dp, arq.device_profile_id == dp.id)
             .outerjoin(ah, arq.attach_handle_id == ah.id)
             .outerjoin(dep, ah.deployable_id == dep.id)
             .where(arq.state.in_(EXPECTS_ALLOCATION + TOLERATED),
                    arq.instance_uuid.is_not(None))
             .order_by(arq.id))
    return context.session.execute(query).all()


def load(context, hostname=None):
    """{host name: :class:`Host`} (only ``hostname`` when given)."""
    hosts = {}

    def host(name):
        if name not in hosts:
            hosts[name] = Host(name)
        return hosts[name]

    owner = {}
    for dep in inventory_db.owned_deployables(context, hostname=hostname):
        want = _wanted(dep)
        if want.rc is None:
            continue
        host(dep.hostname).deployables.append(
            Deployable(dep.id, dep.name, dep.rp_uuid, want))
        owner[want.rp_uuid] = dep.hostname
    for row in _holding_arqs(context):
        _add_arq(hosts, host, owner, row, hostname)
    # Hosts with nothing in the database may still carry cyborg providers
    # (strays): the named host, and every host an agent serves.
    for name in [hostname] if hostname else _agent_hosts(context):
        host(name)
    return hosts


@session.reader
def _agent_hosts(context):
    return list(context.session.scalars(
        sa.select(models.Agent.compute_node_name).distinct()))


def _add_arq(hosts, host, owner, row, only_host):
    name = owner.get(row.device_rp_uuid)
    if name is None:
        # A provider no deployable owns: report it on the ARQ's host.
        if row.hostname and (only_host is None or row.hostname == only_host):
            if row.state in EXPECTS_ALLOCATION:
                host(row.hostname).unknown_providers[row.uuid] = \
                    row.device_rp_uuid
        return
    target = hosts[name]
    problem = _handle_problem(row)
    if problem:
        target.bad_handles.append((row.uuid, row.device_rp_uuid, problem))
    if row.state in TOLERATED:
        target.tolerated.add(row.instance_uuid)
        return
    amounts = group_resources(row.profile_json, row.device_profile_group_id)
    key = (row.instance_uuid, row.device_rp_uuid)
    held = target.allocations.setdefault(key, collections.Counter())
    held.update(amounts)


def _handle_problem(row):
    """What is wrong with a Bound ARQ's attach handle, or None."""
    if row.state != states.BOUND:
        return None
    if row.handle_uuid is None:
        return 'holds no attach handle'
    if not row.handle_in_use:
        return 'its attach handle %s is not in use' % row.handle_uuid
    if rp_sync.provider_uuid(row.handle_deployable) != row.device_rp_uuid:
        return ('its attach handle %s belongs to deployable %s'
                % (row.handle_uuid, row.handle_deployable))
    return None
