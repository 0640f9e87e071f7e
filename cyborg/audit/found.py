"""What Placement holds for one host (the audit's right side).

Only read methods of :class:`cyborg.clients.placement.PlacementClient`.
The number of calls is bounded and stated:

* per host, :data:`CALLS_PER_HOST` = 3: the compute-node provider by
  name, its whole tree, and the tree filtered on ``OWNER_CYBORG`` (the
  providers cyborg created, so a foreign provider under the same compute
  node -- Nova's vGPU, Neutron's bandwidth -- is never mistaken for one of
  ours);
* per deployable whose provider is in the tree,
  :data:`CALLS_PER_PROVIDER` = 3: inventories, traits, allocations;
* per deployable whose provider is not in the tree, one more look-up by
  uuid (it may sit elsewhere: misplaced), and the three reads if found;
* per cyborg provider no deployable owns (a stray), one read of its
  allocations (to say who holds it and whether it may be deleted).

An audit of a host in sync therefore costs exactly ``3 + 3 * D`` calls for
``D`` deployables; in any state at most ``3 + 4 * D + S``.
"""
import dataclasses

from cyborg.conductor.inventory import placement as rp_sync

CALLS_PER_HOST = 3
CALLS_PER_PROVIDER = 3


def call_bound(hosts, deployables, strays=0):
    """The most calls an audit of ``hosts`` hosts may make."""
    return CALLS_PER_HOST * hosts + (CALLS_PER_PROVIDER + 1) * deployables \
        + strays


@dataclasses.dataclass
class Provider:
    """A provider as read: ``inventories``/``traits``/``allocations`` are
    None when not read (the provider does not exist)."""

    uuid: str
    name: str | None = None
    parent_uuid: str | None = None
    generation: int | None = None
    inventories: dict | None = None
    traits: set | None = None
    allocations: dict | None = None

    @property
    def exists(self):
        return self.name is not None


@dataclasses.dataclass
class Host:
    name: str
    compute_node: dict | None = None
    providers: dict = dataclasses.field(default_factory=dict)  # uuid -> P
    strays: dict = dataclasses.field(default_factory=dict)     # uuid -> P


def _from_listing(entry):
    return Provider(uuid=entry['uuid'], name=entry['name'],
                    parent_uuid=entry.get('parent_provider_uuid'),
                    generation=entry.get('generation'))


def _read_details(client, provider):
    provider.inventories = client.get_inventories(provider.uuid)
    provider.traits = client.get_traits(provider.uuid)
    provider.allocations = client.get_allocations(provider.uuid)
    return provider


def read_host(client, expected, progress=None):
    """A :class:`Host` for ``expected`` (a :class:`cyborg.audit.expected.
    Host`); ``progress()`` is called once per deployable read."""
    found = Host(expected.name)
    cn = client.get_provider_by_name(expected.name)
    found.compute_node = cn
    if cn is None:
        for _dep in expected.deployables:
            if progress:
                progress()
        return found
    tree = {p['uuid']: p for p in client.list_tree(cn['uuid'])}
    owned = {p['uuid'] for p in client.list_tree(
        cn['uuid'], required=[rp_sync.OWNER_TRAIT])}
    wanted = set()
    for dep in expected.deployables:
        rp_uuid = dep.want.rp_uuid
        wanted.add(rp_uuid)
        entry = tree.get(rp_uuid) or client.get_provider(rp_uuid)
        provider = Provider(rp_uuid)
        if entry is not None:
            provider = _read_details(client, _from_listing(entry))
        found.providers[rp_uuid] = provider
        if progress:
            progress()
    for rp_uuid in sorted(owned - wanted - {cn['uuid']}):
        stray = _from_listing(tree[rp_uuid])
        stray.allocations = client.get_allocations(rp_uuid)
        found.strays[rp_uuid] = stray
    return found
