"""``--fix``: repair what cyborg owns, and only that.

* A deployable's provider (missing, misplaced, wrong inventory or traits)
  is brought to its wanted state by the same
  :class:`~cyborg.conductor.inventory.placement.ProviderSync` the inventory
  flow uses (generation-guarded writes, retry on 409, ``reserved`` and
  ratios kept, FPGA function traits kept), once per deployable whatever
  the number of its rows.
* ``rp_uuid_not_stored``: the deployable's ``rp_uuid`` is stored.
* ``provider_stray``: the provider is deleted, only when no consumer
  holds anything from it (the client refuses otherwise, and so do we).
* Allocations, the compute-node provider and ARQs are never touched: their
  rows keep their ``none: ...`` fix and get the result ``reported``.

Each row gets a ``result``: ``fixed``, ``failed: <why>`` or ``reported``.
"""
import logging

from cyborg.common import exception
from cyborg.conductor.inventory import placement as rp_sync
from cyborg.db.queries import inventory as inventory_db

LOG = logging.getLogger(__name__)

_PROVIDER_KINDS = ('provider_missing', 'provider_misplaced',
                   'inventory_mismatch', 'traits_mismatch')


def repair(context, client, rows, compute_nodes):
    """Fix the fixable ``rows`` in place (setting ``result``).

    ``compute_nodes``: {host: compute-node provider uuid}."""
    synced = {}
    rp_uuids = {}
    for row in rows:
        if not row.fixable:
            row.result = 'reported'
            continue
        try:
            if row.kind in _PROVIDER_KINDS:
                _sync_once(client, compute_nodes[row.host], row.deployable,
                           synced)
            elif row.kind == 'rp_uuid_not_stored':
                rp_uuids[row.deployable.id] = row.provider
            elif row.kind == 'provider_stray':
                client.delete_provider(row.provider)
            row.result = 'fixed'
        except exception.CyborgException as exc:
            row.result = 'failed: %s' % exc
            LOG.warning('Audit: could not fix %s of %s: %s', row.kind,
                        row.provider, exc)
    if rp_uuids:
        inventory_db.set_rp_uuids(context, rp_uuids)
    return rows


def _sync_once(client, cn_uuid, dep, synced):
    """One sync per deployable (a second row of the same deployable shares
    the outcome of the first), one ProviderSync per compute node (it
    remembers the resource classes it made sure of)."""
    key = dep.want.rp_uuid
    if key not in synced:
        sync = synced.setdefault(('sync', cn_uuid),
                                 rp_sync.ProviderSync(client, cn_uuid))
        try:
            sync.sync(dep.want)
            synced[key] = None
        except exception.CyborgException as exc:
            synced[key] = exc
    if synced[key] is not None:
        raise synced[key]
