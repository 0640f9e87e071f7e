"""The database side of an agent report: one transaction per host.

``apply(context, report)`` loads the host's rows, diffs
them against the report by the identity keys of internals.md §3.3 and
writes the result, all in one writer transaction:

* devices by control path ``cpid_info``; deployables by ``name`` within a
  device; attributes by ``key`` (all values of a key compared as a list);
  attach handles by ``attach_info`` (internals.md §4.3, quirk I3 fixed);
* a device listed in ``report.keep`` (a stub, or a device of a driver that
  failed this cycle) is left untouched; when ``report.complete`` is false
  (a driver failed and its devices are unknown) nothing is removed;
* deferred removal (D3.6): a deployable that disappeared is removed only
  when none of its attach handles is in use, no ARQ references it and its
  provider has no allocation; otherwise it is marked ``pending_removal``,
  kept (with its device) and tried again by the next report. No Placement
  call happens in the transaction: a removable deployable is marked
  ``pending_removal`` and listed in ``Outcome.to_remove``; after the
  commit ``inventory_removal.finish`` deletes its provider (deferring it
  when the provider has allocations), then its rows. An attach
  handle that disappeared while in use or bound is kept likewise.

The outcome lists the deployables whose Placement state must be (re)synced
after the commit: new ones, changed ones (``num_accelerators``, ``rc``,
traits, pending flag) and those never synced (``rp_uuid`` unset). An
unchanged deployable is not listed, so an identical report makes no
Placement call beyond the compute-node look-up.
"""
import collections
import dataclasses
import logging
import uuid as uuid_lib

import sqlalchemy as sa

from cyborg.conductor.inventory import placement as rp_sync
from cyborg.db import models
from cyborg.db import session as db_session
from cyborg.db.queries import inventory as inventory_db

LOG = logging.getLogger(__name__)

DEVICE_FIELDS = ('type', 'vendor', 'model', 'std_board_info',
                 'vendor_board_info')
MAINTAINING = 'maintaining'


@dataclasses.dataclass
class Outcome:
    wanted: list = dataclasses.field(default_factory=list)
    added: list = dataclasses.field(default_factory=list)
    updated: list = dataclasses.field(default_factory=list)
    removed: list = dataclasses.field(default_factory=list)
    deferred: list = dataclasses.field(default_factory=list)
    # Removals decided in the transaction, done after it (Removal).
    to_remove: list = dataclasses.field(default_factory=list)
    # Devices no longer reported, deleted once their deployables are.
    gone_devices: list = dataclasses.field(default_factory=list)

    def summary(self):
        return {'added': len(self.added), 'updated': len(self.updated),
                'removed': len(self.removed),
                'deferred': sorted(self.deferred)}


@dataclasses.dataclass(frozen=True)
class Removal:
    """A vanished deployable to remove: its provider first, then its
    rows (``inventory_removal.finish``)."""
    deployable_id: int
    name: str
    rp_uuid: str
    device_id: int
    disabled: bool
    pairs: list
    total: int


def _new_uuid():
    return str(uuid_lib.uuid4())


@db_session.writer
def apply(context, report):
    """Diff ``report`` against the DB rows of ``report.hostname``."""
    diff = _HostDiff(context.session, report.hostname)
    diff.run(report)
    if report.agent:
        inventory_db.upsert_agent(context.session, **report.agent)
    context.session.flush()
    return diff.out


class _HostDiff:
    def __init__(self, session, hostname):
        self.session = session
        self.hostname = hostname
        self.tree = inventory_db.load_host(session, hostname)
        self.out = Outcome()
        # New rows, inserted together at the end of run() (_insert_new).
        self._new_devices = []
        self._new_deployables = []

    # -- devices ------------------------------------------------------------

    def run(self, report):
        old = {}
        for dev in self.tree.devices:
            for cp in self.tree.cpids.get(dev.id, ()):
                old.setdefault(cp.cpid_info, (dev, cp))
        new = {}
        for device in report.devices:
            cpid = device['controlpath_id']['cpid_info']
            if cpid in new:
                LOG.warning('Host %s reported control path %s twice; the '
                            'first is used', self.hostname, cpid)
                continue
            new[cpid] = device
        seen = set(new) | set(report.keep)
        for dev in self.tree.devices:
            cpids = {cp.cpid_info for cp in self.tree.cpids.get(dev.id, ())}
            if not cpids or cpids & seen:
                continue
            if report.complete:
                self._remove_device(dev)
            else:
                LOG.info('Device %s of host %s not reported, but the report '
                         'is incomplete (failed drivers: %s): kept',
                         dev.uuid, self.hostname,
                         ', '.join(report.failed_drivers))
        for cpid, device in new.items():
            if cpid in report.keep:
                continue
            if cpid in old:
                self._update_device(*old[cpid], device)
            else:
                self._add_device(device)
        self._insert_new()

    def _add_device(self, device):
        # A reported device is new, hence unallocated (as upstream's
        # Device.create): device_state 'available'. Its rows are inserted
        # with the report's other new rows (_insert_new).
        dev = models.Device(uuid=_new_uuid(), hostname=self.hostname,
                            status='enabled', device_state='available',
                            **{f: device.get(f) for f in DEVICE_FIELDS})
        cp = models.ControlpathID(
            uuid=_new_uuid(),
            cpid_type=device['controlpath_id']['cpid_type'],
            cpid_info=device['controlpath_id']['cpid_info'])
        self._new_devices.append((dev, cp))
        for dep in device['deployable_list']:
            self._add_deployable(dev, cp, dep)

    def _update_device(self, dev, cp, device):
        changed = False
        for field in DEVICE_FIELDS:
            if getattr(dev, field) != device.get(field):
                setattr(dev, field, device.get(field))
                changed = True
        if changed:
            self.out.updated.append(dev.uuid)
        old = {d.name: d for d in self.tree.deployables.get(dev.id, ())}
        new = {d['name']: d for d in device['deployable_list']}
        for name, row in old.items():
            if name not in new:
                self._remove_deployable(dev, row)
        for name, dep in new.items():
            if name in old:
                self._update_deployable(dev, cp, old[name], dep)
            else:
                self._add_deployable(dev, cp, dep)

    def _remove_device(self, dev):
        deps = self.tree.deployables.get(dev.id, ())
        kept = [d for d in deps if not self._remove_deployable(dev, d)]
        if kept:
            self.out.gone_devices.append(dev.id)
            return
        cp_ids = [cp.id for cp in self.tree.cpids.get(dev.id, ())]
        self._delete(models.ControlpathID, models.ControlpathID.id, cp_ids)
        self._delete(models.Device, models.Device.id, [dev.id])
        LOG.info('Removed device %s of host %s', dev.uuid, self.hostname)

    # -- deployables ----------------------------------------------------------

    def _add_deployable(self, dev, cp, dep):
        row = models.Deployable(
            uuid=_new_uuid(), name=dep['name'],
            num_accelerators=dep['num_accelerators'],
            driver_name=dep.get('driver_name'))
        pairs = [(a['key'], a['value']) for a in dep['attribute_list']]
        self.out.added.append(row.name)
        # Its Wanted needs the row's id: the slot is filled once the row
        # is inserted (_insert_new), keeping the report's order.
        self._new_deployables.append((dev, cp, row, dep, pairs,
                                      len(self.out.wanted)))
        self.out.wanted.append(None)

    def _insert_new(self):
        """Insert the report's new rows, a table at a time (however many
        devices): devices, then their control paths and deployables, then
        attributes and attach handles."""
        if self._new_devices:
            self.session.add_all(dev for dev, _cp in self._new_devices)
            self.session.flush()
            for dev, cp in self._new_devices:
                cp.device_id = dev.id
            self.session.add_all(cp for _dev, cp in self._new_devices)
        if not self._new_deployables:
            return
        for dev, _cp, row, _dep, _pairs, _slot in self._new_deployables:
            row.device_id = dev.id
        self.session.add_all(item[2] for item in self._new_deployables)
        self.session.flush()
        attributes, handles = [], []
        for dev, cp, row, dep, pairs, slot in self._new_deployables:
            attributes.extend(
                {'uuid': _new_uuid(), 'deployable_id': row.id,
                 'key': key, 'value': value} for key, value in pairs)
            handles.extend(self._handle_values(row, cp, h)
                           for h in dep['attach_handle_list'])
            self.out.wanted[slot] = self._wanted(dev, row, pairs)
        # Rows nothing reads back in this transaction: ORM bulk inserts
        # (column defaults applied, no objects to track).
        for model, rows in ((models.Attribute, attributes),
                            (models.AttachHandle, handles)):
            if rows:
                self.session.execute(sa.insert(model), rows)
        self._new_deployables = []
        self._new_devices = []

    @staticmethod
    def _handle_values(row, cp, handle):
        """The columns of a new, free attach handle."""
        return {'uuid': _new_uuid(), 'deployable_id': row.id,
                'cpid_id': cp.id, 'in_use': False,
                'attach_type': handle['attach_type'],
                'attach_info': handle['attach_info']}

    def _update_deployable(self, dev, cp, row, dep):
        resync = row.rp_uuid != rp_sync.provider_uuid(row.name)
        unreserve = False
        if row.num_accelerators != dep['num_accelerators']:
            row.num_accelerators = dep['num_accelerators']
            resync = True
        if row.driver_name != dep.get('driver_name'):
            row.driver_name = dep.get('driver_name')
        if row.pending_removal:
            LOG.info('Deployable %s is reported again: no longer pending '
                     'removal', row.name)
            row.pending_removal = False
            resync = unreserve = True
        pairs, attrs_changed = self._diff_attributes(row,
                                                     dep['attribute_list'])
        handles_changed = self._diff_handles(row, cp,
                                             dep['attach_handle_list'])
        if resync or attrs_changed or handles_changed or \
                self.session.is_modified(row):
            self.out.updated.append(row.name)
        if resync or attrs_changed:
            self._want(dev, row, pairs, unreserve=unreserve)

    def _remove_deployable(self, dev, row):
        """Remove a vanished deployable now, or defer; True if removed."""
        handles = self.tree.handles.get(row.id, ())
        reason = None
        if any(h.in_use for h in handles):
            reason = 'an attach handle is in use'
        elif inventory_db.bound_deployable_ids(self.session, [row.id]):
            reason = 'an accelerator request is bound to it'
        else:
            # Decided here, done after the commit (inventory_removal):
            # the row is marked first, so that reconciliation never
            # re-creates the provider that is about to be deleted.
            row.pending_removal = True
            self.out.to_remove.append(Removal(
                row.id, row.name,
                row.rp_uuid or rp_sync.provider_uuid(row.name), dev.id,
                dev.status == MAINTAINING, self._pairs(row),
                row.num_accelerators))
            return False
        if reason:
            self.out.deferred.append(row.name)
            if not row.pending_removal:
                LOG.warning('Deployable %s of host %s disappeared but %s: '
                            'marked pending removal', row.name,
                            self.hostname, reason)
                row.pending_removal = True
                self._want(dev, row, self._pairs(row))
            return False
    def _want(self, dev, row, pairs, unreserve=False):
        self.out.wanted.append(self._wanted(dev, row, pairs, unreserve))

    @staticmethod
    def _wanted(dev, row, pairs, unreserve=False):
        return rp_sync.wanted_for(
            row.id, row.name, row.num_accelerators, pairs,
            disabled=dev.status == MAINTAINING,
            pending=row.pending_removal, unreserve=unreserve,
            new=row.rp_uuid is None)

    def _pairs(self, row):
        return [(a.key, a.value) for a in self.tree.attributes.get(row.id, ())]

    # -- attributes and attach handles --------------------------------------

    def _diff_attributes(self, row, new_list):
        """Returns (new pairs, whether rc or a trait changed)."""
        old = collections.defaultdict(list)
        for attr in self.tree.attributes.get(row.id, ()):
            old[attr.key].append(attr)
        new = collections.defaultdict(list)
        pairs = [(a['key'], a['value']) for a in new_list]
        for key, value in pairs:
            new[key].append(value)
        placement_relevant = False
        for key in sorted(set(old) | set(new)):
            if [a.value for a in old.get(key, ())] == new.get(key, []):
                continue
            self._delete(models.Attribute, models.Attribute.id,
                         [a.id for a in old.get(key, ())])
            self.session.add_all(
                models.Attribute(uuid=_new_uuid(), deployable_id=row.id,
                                 key=key, value=value)
                for value in new.get(key, ()))
            if key == 'rc' or key.startswith('trait'):
                placement_relevant = True
        return pairs, placement_relevant

    def _diff_handles(self, row, cp, new_list):
        old, extra = {}, []
        for handle in self.tree.handles.get(row.id, ()):
            if handle.attach_info in old:
                extra.append(handle)
            else:
                old[handle.attach_info] = handle
        new = {h['attach_info']: h for h in new_list}
        gone = [h for info, h in old.items() if info not in new] + extra
        changed = self._remove_handles(row, gone)
        for info, handle in new.items():
            if info not in old:
                self.session.add(models.AttachHandle(
                    **self._handle_values(row, cp, handle)))
                changed = True
            elif old[info].attach_type != handle['attach_type']:
                old[info].attach_type = handle['attach_type']
                changed = True
        return changed

    def _remove_handles(self, row, gone):
        if not gone:
            return False
        bound = inventory_db.bound_handle_ids(self.session,
                                              [h.id for h in gone])
        removable = []
        for handle in gone:
            if handle.in_use or handle.id in bound:
                LOG.warning('Attach handle %s of %s disappeared while in '
                            'use: kept until released', handle.uuid,
                            row.name)
            else:
                removable.append(handle.id)
        self._delete(models.AttachHandle, models.AttachHandle.id, removable)
        return bool(removable)

    def _delete(self, model, column, ids):
        if ids:
            self.session.execute(
                sa.delete(model).where(column.in_(list(ids))),
                execution_options={'synchronize_session': False})
