"""The providers of a report's new deployables, written phase by phase.

A report that brings many new deployables (a host's first report) costs
about two Placement calls per deployable instead of three (issue 14 item
5), in three phases:

1. create each provider (``POST /resource_providers``, which answers its
   generation), up to ``workers`` at a time;
2. set the inventories of all the fresh ones together
   (``PlacementClient.set_inventories``: Placement's reshaper, up to 200
   providers a request, up to ``workers`` requests at a time), carrying
   each provider's generation;
3. put each provider's traits with the generation the reshape left
   (no read), up to ``workers`` at a time.

A provider that is not fresh (it existed already: adopted, possibly with
inventory, traits or another name) is synced on its own after phase 1
(``ProviderSync.sync``). Providers the bulk write leaves out (refused by
policy, a generation conflict, an error: see
``cyborg.clients.placement_reshaper``) get their inventories one by one,
as the per-provider path writes them. A failure stays with its
deployable: logged, and the others carry on.
"""
import logging

from cyborg.clients import placement as placement_client
from cyborg.common import bounded
from cyborg.common import exception

LOG = logging.getLogger(__name__)


def attempt(func, want):
    """``func(want)``; False when it failed with a CyborgException, which
    is logged: one deployable's failure stays its own."""
    try:
        func(want)
    except exception.CyborgException as exc:
        LOG.error('Placement sync of deployable %s failed: %s',
                  want.name, exc)
        return False
    return True


def inventories_of(want):
    """The inventories ``want`` gives a provider that has none."""
    if want.total <= 0:
        return {}
    record = {'total': want.total, 'max_unit': want.total}
    if want.reserved_units() is not None:
        record['reserved'] = want.reserved_units()
    return {want.rc: record}


class _Phases:

    def __init__(self, sync, workers):
        self.sync = sync
        self.client = sync.client
        self.workers = workers
        self.states = {}        # rp_uuid -> ProviderState of fresh ones
        self.failed = set()     # rp_uuids

    def run(self, func, wanted):
        """``func(want)`` for each, ``workers`` at a time; a
        CyborgException marks that deployable failed."""
        def one(want):
            if not attempt(func, want):
                self.failed.add(want.rp_uuid)
        bounded.parallel_map(one, wanted, self.workers, 'placement-sync')

    def create(self, want):
        provider = self.client.ensure_provider(
            want.rp_uuid, want.name, self.sync.parent_uuid, likely_new=True)
        state = placement_client.ProviderState.of(provider)
        if (state.inventories is None or
                provider.get('name') != want.name or
                provider.get('parent_provider_uuid') !=
                self.sync.parent_uuid):
            self.sync.sync(want, provider)      # not fresh: on its own
            return
        self.states[want.rp_uuid] = state

    def inventories(self, fresh):
        items = {}
        for w in fresh:
            inventories = inventories_of(w)
            if inventories:
                items[w.rp_uuid] = (self.states[w.rp_uuid], inventories)
        left = set(self.client.set_inventories(
            items, self.workers)) if items else set()
        self.run(lambda w: self.sync.sync_inventory(
            w, self.states[w.rp_uuid]),
            [w for w in fresh if w.rp_uuid in left])

    def traits(self, want):
        self.sync.sync_traits(want, self.states[want.rp_uuid])


def sync_new(sync, wanted, workers=1):
    """Sync new deployables' Wanted (each with an ``rc``) with ``sync``
    (a ProviderSync) in phases; returns {rp_uuid: True when synced}."""
    phases = _Phases(sync, workers)
    try:
        sync.prepare(wanted)
    except exception.CyborgException as exc:
        LOG.warning('Could not ensure resource classes and traits before '
                    'syncing %d providers: %s', len(wanted), exc)
    phases.run(phases.create, wanted)

    def fresh():
        return [w for w in wanted if w.rp_uuid in phases.states and
                w.rp_uuid not in phases.failed]
    phases.inventories(fresh())
    phases.run(phases.traits, fresh())
    return {w.rp_uuid: w.rp_uuid not in phases.failed for w in wanted}
