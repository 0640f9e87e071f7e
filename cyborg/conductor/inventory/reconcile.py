"""Periodic reconciliation: Placement against the database.

Reports only touch Placement for what changed, so anything edited in
Placement behind cyborg's back (a device provider deleted, its inventory,
traits, name or parent changed) would stay wrong. ``reconcile(context)``
compares, for every deployable in the database, its provider with what it
should be (``inventory_placement.Wanted``) and repairs the difference,
logging each repair. It runs as a cluster periodic job (``cluster/``):
once per ``[DEFAULT] periodic_interval`` across the conductors.

Safe against concurrent agent reports (which remove deployables:
``inventory_removal``), with no DB transaction open during a Placement
call. Per host, in this order:

1. read the compute node and its children from Placement;
2. then read the host's deployables from the DB (a short read). A
   provider seen in step 1 whose deployable is gone in step 2 was removed
   by a report or is an orphan: it is deleted if it carries
   ``OWNER_CYBORG`` and has no allocation. A deployable created after
   step 1 has its provider created by its report, not here;
3. a deployable ``pending_removal`` never gets its provider re-created
   (a report is removing it); if it still has one, it stays fully
   reserved;
4. a missing provider is created only after a fresh read shows its
   deployable still there and not being removed;
5. after the writes, the host's deployables are read again: a provider
   created or repaired here whose deployable went away meanwhile is
   deleted again. Any call that failed is retried by the next cycle.

Per host it costs one compute-node look-up, one tree listing and two or
three DB reads, then per deployable a read of its inventory and of its
traits; it writes only where something drifted.

``start_periodic(interval)`` runs it every ``interval`` seconds in a daemon
thread of this process alone (tests); the conductor uses the cluster job.
"""
import logging
import threading

from cyborg import context as cyborg_context
from cyborg.common import exception
from cyborg.conductor.inventory import placement as rp_sync
from cyborg.conductor.inventory import report as inventory
from cyborg.db.queries import inventory as inventory_db

LOG = logging.getLogger(__name__)


def reconcile(context, client=None, hostname=None):
    """Repair Placement drift; returns {deployable name: [repairs]}."""
    client = client or inventory.placement()
    repaired = {}
    hosts = sorted({d.hostname for d in inventory_db.owned_deployables(
        context, hostname=hostname)})
    for host in hosts:
        try:
            repaired.update(_reconcile_host(context, client, host))
        except exception.CyborgException as exc:
            LOG.error('Reconciliation of host %s failed: %s', host, exc)
    return repaired


def _want(dep):
    return rp_sync.wanted_for(
        dep.id, dep.name, dep.num_accelerators, dep.attributes,
        disabled=dep.device_status == 'maintaining',
        pending=dep.pending_removal)


def _by_rp(deps):
    return {rp_sync.provider_uuid(d.name): d for d in deps}


def _reconcile_host(context, client, host):
    cn = client.get_provider_by_name(host)
    if cn is None:
        LOG.warning('Reconciliation: compute node provider %s not found; '
                    'its deployables are skipped', host)
        return {}
    tree = {p['uuid']: p for p in client.list_children(cn['uuid'])}
    deps = inventory_db.owned_deployables(context, hostname=host)
    _remove_orphans(client, host, tree, deps)
    sync = rp_sync.ProviderSync(client, cn['uuid'])
    repaired, rp_uuids, touched = {}, {}, []
    for dep in deps:
        want = _want(dep)
        if want.rc is None:
            continue
        provider = tree.get(want.rp_uuid)
        if provider is None and not _may_create(context, host, dep):
            continue
        try:
            changes = sync.sync(want, provider=provider)
        except exception.CyborgException as exc:
            LOG.error('Reconciliation of %s failed: %s', dep.name, exc)
            continue
        if changes and not dep.pending_removal:
            touched.append(want.rp_uuid)
        if dep.rp_uuid != want.rp_uuid:
            rp_uuids[dep.id] = want.rp_uuid
            changes.append('rp_uuid stored')
        if changes:
            LOG.warning('Reconciliation repaired deployable %s (provider '
                        '%s): %s', dep.name, want.rp_uuid,
                        '; '.join(changes))
            repaired[dep.name] = changes
    inventory_db.set_rp_uuids(context, rp_uuids)
    if touched:
        _undo_if_removed(context, client, host, touched)
    return repaired


def _may_create(context, host, dep):
    """A missing provider: (re)create it only if its deployable is still
    there and not being removed (read afresh)."""
    if dep.pending_removal:
        LOG.info('Reconciliation: deployable %s is being removed; its '
                 'provider is not re-created', dep.name)
        return False
    now = _by_rp(inventory_db.owned_deployables(context, hostname=host))
    fresh = now.get(rp_sync.provider_uuid(dep.name))
    if fresh is None or fresh.pending_removal:
        LOG.info('Reconciliation: deployable %s went away meanwhile; its '
                 'provider is not re-created', dep.name)
        return False
    return True


def _delete(client, rp_uuid, why):
    try:
        if client.delete_provider(rp_uuid):
            LOG.warning('Reconciliation deleted provider %s: %s', rp_uuid,
                        why)
    except rp_sync.ProviderInUse:
        LOG.warning('Reconciliation: provider %s (%s) has allocations; '
                    'left in place', rp_uuid, why)
    except exception.CyborgException as exc:
        LOG.error('Reconciliation could not delete provider %s: %s',
                  rp_uuid, exc)


def _remove_orphans(client, host, tree, deps):
    """Providers of ours under the compute node with no deployable."""
    known = set(_by_rp(deps)) | {d.rp_uuid for d in deps if d.rp_uuid}
    for rp_uuid in sorted(set(tree) - known):
        try:
            traits = client.get_traits(rp_uuid)
        except exception.CyborgException:
            continue       # gone already, or Placement trouble: next cycle
        if rp_sync.OWNER_TRAIT in traits:
            _delete(client, rp_uuid, 'no deployable of host %s has it'
                    % host)


def _undo_if_removed(context, client, host, touched):
    """Delete again what this pass wrote for a deployable that a report
    removed, or started removing, while we wrote (``touched``: providers
    of deployables that were not being removed when read)."""
    now = _by_rp(inventory_db.owned_deployables(context, hostname=host))
    for rp_uuid in touched:
        dep = now.get(rp_uuid)
        if dep is None or dep.pending_removal:
            _delete(client, rp_uuid, 'its deployable was removed during '
                    'reconciliation')


class Periodic:
    """A daemon thread running ``reconcile`` every ``interval`` seconds."""

    def __init__(self, interval, client=None, run_first=True):
        self.interval = interval
        self.client = client
        self.run_first = run_first
        self.runs = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True,
                                        name='cyborg-reconcile')

    def start(self):
        self._thread.start()
        return self

    def _loop(self):
        if not self.run_first and self._stop.wait(self.interval):
            return
        while True:
            self.run_once()
            if self._stop.wait(self.interval):
                return

    def run_once(self):
        try:
            reconcile(cyborg_context.get_admin_context(), self.client)
        except Exception:   # a periodic task must survive anything
            LOG.exception('Placement reconciliation failed')
        self.runs += 1

    def stop(self, timeout=10):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)


def start_periodic(interval, client=None, run_first=True):
    """Start reconciling every ``interval`` seconds; returns a
    :class:`Periodic` (call ``stop()`` on service stop)."""
    return Periodic(interval, client=client, run_first=run_first).start()
