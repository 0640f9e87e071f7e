"""Queries of the inventory diff (internals.md §4.3) and reconciliation.

The diff runs inside ONE writer transaction per host report
(``cyborg.conductor.inventory.diff``): the helpers taking a ``session``
work inside the caller's transaction; the ``@session.reader/writer``
functions open their own.

Per-host reads filter on ``devices.hostname`` (index
``devices_hostname_idx``) and join the child tables, so loading a host
costs five queries whatever its size.
"""
import collections
import dataclasses

import sqlalchemy as sa

from cyborg.db import models
from cyborg.db import session as db_session


@dataclasses.dataclass
class HostTree:
    """Every row of one host, grouped for the diff."""

    devices: list
    cpids: dict          # device id -> [ControlpathID]
    deployables: dict    # device id -> [Deployable]
    attributes: dict     # deployable id -> [Attribute] (storage order)
    handles: dict        # deployable id -> [AttachHandle] (storage order)


def _grouped(rows, key):
    out = collections.defaultdict(list)
    for row in rows:
        out[getattr(row, key)].append(row)
    return out


def load_host(session, hostname):
    """The :class:`HostTree` of ``hostname`` (rows attached to session)."""
    dev = models.Device
    on_host = dev.hostname == hostname
    devices = list(session.scalars(
        sa.select(dev).where(on_host).order_by(dev.id)))
    cpids = session.scalars(
        sa.select(models.ControlpathID).join(dev).where(on_host)
        .order_by(models.ControlpathID.id))
    deps = list(session.scalars(
        sa.select(models.Deployable).join(dev).where(on_host)
        .order_by(models.Deployable.id)))
    attrs = session.scalars(
        sa.select(models.Attribute)
        .join(models.Deployable,
              models.Attribute.deployable_id == models.Deployable.id)
        .join(dev).where(on_host).order_by(models.Attribute.id))
    handles = session.scalars(
        sa.select(models.AttachHandle)
        .join(models.Deployable,
              models.AttachHandle.deployable_id == models.Deployable.id)
        .join(dev).where(on_host).order_by(models.AttachHandle.id))
    return HostTree(devices=devices, cpids=_grouped(cpids, 'device_id'),
                    deployables=_grouped(deps, 'device_id'),
                    attributes=_grouped(attrs, 'deployable_id'),
                    handles=_grouped(handles, 'deployable_id'))


def bound_handle_ids(session, handle_ids):
    """Handles among ``handle_ids`` referenced by an ARQ."""
    if not handle_ids:
        return set()
    arq = models.ExtArq
    return set(session.scalars(
        sa.select(arq.attach_handle_id)
        .where(arq.attach_handle_id.in_(list(handle_ids)))))


def bound_deployable_ids(session, deployable_ids):
    """Deployables among ``deployable_ids`` referenced by an ARQ (directly
    or through one of their attach handles)."""
    if not deployable_ids:
        return set()
    ids = list(deployable_ids)
    arq = models.ExtArq
    direct = set(session.scalars(
        sa.select(arq.deployable_id).where(arq.deployable_id.in_(ids))))
    ah = models.AttachHandle
    via_handle = set(session.scalars(
        sa.select(ah.deployable_id).join(arq, arq.attach_handle_id == ah.id)
        .where(ah.deployable_id.in_(ids))))
    return direct | via_handle


def upsert_agent(session, host, compute_node_name, rp_uuid):
    """Record (or update) the agent listening on ``host`` (D3.1).

    Returns True when a row was written."""
    row = session.scalars(
        sa.select(models.Agent).where(models.Agent.host == host)).first()
    if row is None:
        session.add(models.Agent(host=host,
                                 compute_node_name=compute_node_name,
                                 compute_node_rp_uuid=rp_uuid))
        return True
    if (row.compute_node_name, row.compute_node_rp_uuid) == (
            compute_node_name, rp_uuid):
        return False
    row.compute_node_name = compute_node_name
    row.compute_node_rp_uuid = rp_uuid
    return True


@db_session.writer
def set_rp_uuids(context, rp_uuids):
    """Store ``{deployable id: provider uuid}`` (only rows that differ)."""
    if not rp_uuids:
        return
    rows = context.session.scalars(
        sa.select(models.Deployable)
        .where(models.Deployable.id.in_(list(rp_uuids))))
    for row in rows:
        if row.rp_uuid != rp_uuids[row.id]:
            row.rp_uuid = rp_uuids[row.id]


@dataclasses.dataclass
class OwnedDeployable:
    """What reconciliation needs to know about one deployable."""

    id: int
    name: str
    hostname: str
    num_accelerators: int
    rp_uuid: str | None
    pending_removal: bool
    device_status: str
    attributes: list     # [(key, value)] in storage order


@db_session.reader
def owned_deployables(context, hostname=None):
    """Every deployable (of one host when given), with its attributes."""
    dep, dev, attr = models.Deployable, models.Device, models.Attribute
    select = (sa.select(dep.id, dep.name, dev.hostname, dep.num_accelerators,
                        dep.rp_uuid, dep.pending_removal, dev.status)
              .join(dev, dep.device_id == dev.id)
              .order_by(dev.hostname, dep.id))
    attr_select = (sa.select(attr.deployable_id, attr.key, attr.value)
                   .order_by(attr.id))
    if hostname is not None:
        select = select.where(dev.hostname == hostname)
        attr_select = (attr_select
                       .join(dep, attr.deployable_id == dep.id)
                       .join(dev, dep.device_id == dev.id)
                       .where(dev.hostname == hostname))
    attrs = collections.defaultdict(list)
    for dep_id, key, value in context.session.execute(attr_select):
        attrs[dep_id].append((key, value))
    return [OwnedDeployable(id=r[0], name=r[1], hostname=r[2],
                            num_accelerators=r[3], rp_uuid=r[4],
                            pending_removal=bool(r[5]), device_status=r[6],
                            attributes=attrs.get(r[0], []))
            for r in context.session.execute(select)]


@db_session.reader
def agent_for_host(context, host):
    """The agent row whose RPC server name is ``host``, or None."""
    return context.session.scalars(
        sa.select(models.Agent).where(models.Agent.host == host)).first()
