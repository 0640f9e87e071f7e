"""Periodic reconciliation: Placement against the database.

Reports only touch Placement for what changed, so anything edited in
Placement behind cyborg's back (a device provider deleted, its inventory,
traits, name or parent changed) would stay wrong. ``reconcile(context)``
compares, for every deployable in the database, its provider with what it
should be (``inventory_placement.Wanted``) and repairs the difference,
logging each repair. Per host it costs one compute-node look-up and one
tree listing, then per deployable a read of its inventory and of its
traits; it writes only where something drifted.

``start_periodic(interval)`` runs it every ``interval`` seconds in a daemon
thread and returns an object with ``stop()``; the conductor service is
expected to start it (see the module's caller in ``conductor/service.py``).
"""
import itertools
import logging
import threading

from cyborg import context as cyborg_context
from cyborg.common import exception
from cyborg.conductor import inventory
from cyborg.conductor import inventory_placement as rp_sync
from cyborg.db.queries import inventory as inventory_db

LOG = logging.getLogger(__name__)


def reconcile(context, client=None, hostname=None):
    """Repair Placement drift; returns {deployable name: [repairs]}."""
    client = client or inventory.placement()
    repaired = {}
    owned = inventory_db.owned_deployables(context, hostname=hostname)
    for host, deps in itertools.groupby(owned, key=lambda d: d.hostname):
        try:
            repaired.update(_reconcile_host(context, client, host,
                                            list(deps)))
        except exception.CyborgException as exc:
            LOG.error('Reconciliation of host %s failed: %s', host, exc)
    return repaired


def _reconcile_host(context, client, host, deps):
    cn = client.get_provider_by_name(host)
    if cn is None:
        LOG.warning('Reconciliation: compute node provider %s not found; '
                    'its %d deployables are skipped', host, len(deps))
        return {}
    tree = {p['uuid']: p for p in client.list_children(cn['uuid'])}
    sync = rp_sync.ProviderSync(client, cn['uuid'])
    repaired, rp_uuids = {}, {}
    for dep in deps:
        want = rp_sync.wanted_for(
            dep.id, dep.name, dep.num_accelerators, dep.attributes,
            disabled=dep.device_status == 'maintaining',
            pending=dep.pending_removal)
        if want.rc is None:
            continue
        provider = tree.get(want.rp_uuid)
        if provider is None:
            provider = client.get_provider(want.rp_uuid)
        try:
            changes = sync.sync(want, provider=provider)
        except exception.CyborgException as exc:
            LOG.error('Reconciliation of %s failed: %s', dep.name, exc)
            continue
        if dep.rp_uuid != want.rp_uuid:
            rp_uuids[dep.id] = want.rp_uuid
            changes.append('rp_uuid stored')
        if changes:
            LOG.warning('Reconciliation repaired deployable %s (provider '
                        '%s): %s', dep.name, want.rp_uuid,
                        '; '.join(changes))
            repaired[dep.name] = changes
    inventory_db.set_rp_uuids(context, rp_uuids)
    return repaired


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
