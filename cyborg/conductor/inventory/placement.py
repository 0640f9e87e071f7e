"""What one deployable should look like in Placement, and making it so.

Shared by the report (``inventory.report_data``) and the reconciliation
(``reconcile.reconcile``). Rules (internals.md §4.4, decisions D3.5-D3.7):

* one child provider per deployable, directly under the compute node:
  uuid = uuid3(DNS, deployable name), name = deployable name;
* inventory ``{rc: total = max_unit = num_accelerators}``: the ``rc``
  attribute is the class (handled apart from traits); ``reserved``,
  ``allocation_ratio``... of an existing record are kept, except that a
  disabled device (``maintaining``) or a deployable pending removal is
  fully reserved, and one coming back from pending removal is un-reserved;
* traits = the valid names among the ``trait*`` attribute values plus
  ``OWNER_CYBORG``; traits written by FPGA programming
  (``CUSTOM_FPGA_FUNCTION_ID*``) are kept; traits and classes are never
  deleted globally;
* every write goes through ``cyborg.clients.placement`` (generations,
  retry on 409, no write when nothing changes).

Cost: a deployable with no provider recorded (``Wanted.new``) is created
without a look-up, and the generation Placement answers is carried from
write to write (``ProviderState``), so a new deployable costs three calls:
create the provider, put its inventory, put its traits (custom traits are
checked or created once per report, ``PlacementClient.known_traits``). A
provider already read (reconciliation's tree listing) is not read again.

Several new deployables (``sync_many``) cost about two calls each: their
providers are created, their inventories set together by Placement's
reshaper, then their traits put (``new_providers``); where the
reshaper is refused (policy), the inventories are put one by one again.
The providers of new deployables are independent (each its own uuid,
created under the compute node without writing to it), so they are
created and given their traits by up to ``[conductor]
placement_sync_workers`` threads, after their resource classes and custom
traits were ensured once, serially. Every other Wanted (an existing
provider, which reconciliation may also touch) is synced one after the
other.
"""
import dataclasses
import logging

from cyborg.clients import placement as placement_client
from cyborg.common import exception
from cyborg.conductor.inventory import new_providers

LOG = logging.getLogger(__name__)

OWNER_TRAIT = 'OWNER_CYBORG'
FUNCTION_TRAIT_PREFIX = 'CUSTOM_FPGA_FUNCTION_ID'
RESERVE_ALL = 'all'
_UNKNOWN = object()


def provider_uuid(name):
    return placement_client.PlacementClient.provider_uuid_for(name)


def rc_of(pairs):
    """The resource class: the last ``rc`` attribute value (or None)."""
    rc = None
    for key, value in pairs:
        if key == 'rc':
            rc = value
    return rc


def traits_of(pairs):
    """Valid trait names of ``trait*`` attributes, plus OWNER_CYBORG."""
    names = {value for key, value in pairs if key.startswith('trait')}
    for bad in sorted(n for n in names
                      if not placement_client.is_valid_trait(n)):
        LOG.warning('Ignoring invalid trait name %r', bad)
    valid = {n for n in names if placement_client.is_valid_trait(n)}
    return frozenset(valid | {OWNER_TRAIT})


@dataclasses.dataclass(frozen=True)
class Wanted:
    """The Placement state one deployable should have."""

    deployable_id: int
    name: str
    rp_uuid: str
    rc: str | None
    total: int
    traits: frozenset
    # None: leave ``reserved`` alone; RESERVE_ALL: = total; 0: un-reserve.
    reserved: object = None
    # No provider recorded for it yet: create first, look up on a 409.
    new: bool = False

    def reserved_units(self):
        """The ``reserved`` to write, or None to leave it alone."""
        if self.reserved is None or self.total <= 0:
            return None
        return self.total if self.reserved == RESERVE_ALL else 0


def wanted_for(deployable_id, name, total, pairs, disabled=False,
               pending=False, unreserve=False, new=False):
    reserved = None
    if disabled or pending:
        reserved = RESERVE_ALL
    elif unreserve:
        reserved = 0
    return Wanted(deployable_id=deployable_id, name=name,
                  rp_uuid=provider_uuid(name), rc=rc_of(pairs),
                  total=int(total), traits=traits_of(pairs),
                  reserved=reserved, new=new)


class ProviderSync:
    """Brings device providers under one compute node to their Wanted
    state; each call returns the list of changes it made (for logs)."""

    def __init__(self, client, parent_uuid):
        self.client = client
        self.parent_uuid = parent_uuid
        self._classes = set()

    def sync(self, want, provider=_UNKNOWN):
        """Make Placement match ``want``; ``provider`` is the provider as
        already read (None: known missing) or unknown."""
        changes = []
        if want.rc is None:
            raise exception.InvalidParameterValue(
                err='deployable %s has no rc attribute' % want.name)
        if provider is None:
            changes.append('created provider')
        if provider is None or provider is _UNKNOWN:
            provider = self.client.ensure_provider(
                want.rp_uuid, want.name, self.parent_uuid,
                likely_new=provider is None or want.new)
        state = placement_client.ProviderState.of(provider)
        if (provider.get('name') != want.name or
                provider.get('parent_provider_uuid') != self.parent_uuid):
            moved = self.client.update_provider(want.rp_uuid, want.name,
                                                self.parent_uuid)
            state.generation = moved.get('generation')
            changes.append('renamed/re-parented provider (was %s under %s)'
                           % (provider.get('name'),
                              provider.get('parent_provider_uuid')))
        changes.extend(self.sync_inventory(want, state))
        changes.extend(self.sync_traits(want, state))
        return changes

    def prepare(self, wanted):
        """Ensure, once and serially, the resource classes and custom
        traits ``wanted`` need, so that parallel syncs do not race to
        create them."""
        for want in wanted:
            if want.rc is not None:
                self._ensure_class(want.rc)
        self.client.ensure_custom_traits(
            set().union(*(w.traits for w in wanted)))

    def _ensure_class(self, rc):
        if rc not in self._classes:
            self.client.ensure_resource_class(rc)
            self._classes.add(rc)

    def sync_inventory(self, want, state):
        changes = []
        self._ensure_class(want.rc)
        if self.client.set_inventory(want.rp_uuid, want.rc, want.total,
                                     state=state):
            changes.append('inventory %s=%d' % (want.rc, want.total))
        reserved = want.reserved_units()
        if reserved is not None:
            if self.client.set_reserved(want.rp_uuid, want.rc, reserved,
                                        state=state):
                changes.append('reserved=%d' % reserved)
        return changes

    def sync_traits(self, want, state):
        if not self.client.set_provider_traits(
                want.rp_uuid, want.traits, state=state,
                keep_prefix=FUNCTION_TRAIT_PREFIX):
            return []
        return ['traits %s' % ','.join(sorted(state.traits))]


def sync_many(sync, wanted, workers=1):
    """Sync every Wanted with ``sync`` (a ProviderSync); returns (synced,
    failed) lists of Wanted. A failure is logged and isolated; several
    new deployables are synced in phases, ``workers`` at a time (module
    docstring)."""
    wanted = list(wanted)
    new = [w for w in wanted if w.new and w.rc is not None]
    ok = {}
    if len(new) > 1 and (workers > 1 or sync.client.bulk_inventory):
        done = new_providers.sync_new(sync, new, workers)
        ok = {id(w): done[w.rp_uuid] for w in new}
    for want in wanted:
        if id(want) not in ok:
            ok[id(want)] = new_providers.attempt(sync.sync, want)
    return ([w for w in wanted if ok[id(w)]],
            [w for w in wanted if not ok[id(w)]])


def remover(client):
    """``remove(rp_uuid)`` for the diff: deletes a device provider (and
    children) unless something is allocated from it, in which case
    :class:`ResourceProviderInUse` propagates and the diff defers."""
    def remove(rp_uuid):
        if client.delete_provider(rp_uuid):
            LOG.info('Deleted device provider %s', rp_uuid)
    return remove


ProviderInUse = placement_client.ResourceProviderInUse
