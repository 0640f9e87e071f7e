"""Every difference between the database and Placement, as rows.

Each :class:`Drift` says what is wrong (``kind``), where (``host``,
``provider`` uuid and ``name``), what the database expects, what Placement
holds, and what ``--fix`` would do (``fix``; it starts with ``none:``
and says why when ``--fix`` leaves the row alone because the thing is
not cyborg's: allocations are Nova's, so is the compute-node provider).

Kinds, in the order rows are listed for a provider:

=========================  ==========================================
``compute_node_missing``   no provider named after the host
``provider_missing``       a deployable's provider does not exist
``provider_misplaced``     it exists with another name or parent
``inventory_mismatch``     classes, ``total``/``max_unit``, or
                           ``reserved`` of a disabled device differ
``traits_mismatch``        traits differ (FPGA function traits aside)
``rp_uuid_not_stored``     the database does not record the provider
``provider_stray``         a cyborg provider (``OWNER_CYBORG``) under
                           the compute node that no deployable owns
``allocation_missing``     a bound ARQ's instance holds nothing there
``allocation_mismatch``    it holds another amount than its ARQs ask
``allocation_unexpected``  a consumer holds a device without an ARQ
``arq_provider_unknown``   a bound ARQ names a provider no deployable has
``arq_handle_mismatch``    a Bound ARQ holds no attach handle, a free one,
                           or one of another deployable
=========================  ==========================================
"""
import dataclasses

from cyborg.conductor.inventory import placement as rp_sync

FIXABLE = ('provider_missing', 'provider_misplaced', 'inventory_mismatch',
           'traits_mismatch', 'rp_uuid_not_stored', 'provider_stray')
NOVA_OWNS = "none: the allocation is Nova's; reported only"
NO_COMPUTE_NODE = ("none: the compute-node provider is Nova's (or "
                   "cyborg-standalone's); its deployables are not audited")
BAD_HANDLE = ('none: the database is inconsistent; unbind the ARQ and '
              'bind it again')
UNKNOWN_PROVIDER = ('none: the ARQ names a provider no deployable has; '
                    'unbind or delete the ARQ')


@dataclasses.dataclass
class Drift:
    kind: str
    host: str
    provider: str | None
    name: str | None
    expected: object
    found: object
    fix: str
    result: str | None = None
    # what repair needs (not rendered)
    deployable: object = dataclasses.field(default=None, repr=False)

    @property
    def fixable(self):
        return self.kind in FIXABLE and not self.fix.startswith('none')

    def to_dict(self):
        out = {k: getattr(self, k) for k in (
            'kind', 'host', 'provider', 'name', 'expected', 'found', 'fix')}
        if self.result is not None:
            out['result'] = self.result
        return out


def _inventory_view(inventories):
    return {rc: {k: rec.get(k) for k in ('total', 'max_unit', 'reserved')}
            for rc, rec in sorted((inventories or {}).items())}


def _expected_inventory(want, found_inventories):
    if want.total <= 0:
        return {}
    reserved = (found_inventories or {}).get(want.rc, {}).get('reserved', 0)
    if want.reserved == rp_sync.RESERVE_ALL:
        reserved = want.total
    elif want.reserved == 0:
        reserved = 0
    return {want.rc: {'total': want.total, 'max_unit': want.total,
                      'reserved': reserved}}


def _provider_rows(host, dep, cn_uuid, provider):
    want = dep.want
    rows = []

    def row(kind, expected, found, fix):
        rows.append(Drift(kind, host, want.rp_uuid, want.name, expected,
                          found, fix, deployable=dep))

    if not provider.exists:
        row('provider_missing', {'name': want.name, 'parent': cn_uuid},
            None, 'create provider %s under %s with inventory %s=%d and '
            'traits %s' % (want.name, cn_uuid, want.rc, want.total,
                           ','.join(sorted(want.traits))))
    else:
        if (provider.name, provider.parent_uuid) != (want.name, cn_uuid):
            row('provider_misplaced', {'name': want.name, 'parent': cn_uuid},
                {'name': provider.name, 'parent': provider.parent_uuid},
                'rename and re-parent the provider')
        expected = _expected_inventory(want, provider.inventories)
        found = _inventory_view(provider.inventories)
        if expected != found:
            row('inventory_mismatch', expected, found,
                'write inventory %s' % _short(expected))
        kept = {t for t in provider.traits
                if t.startswith(rp_sync.FUNCTION_TRAIT_PREFIX)}
        if provider.traits - kept != set(want.traits):
            row('traits_mismatch', sorted(want.traits),
                sorted(provider.traits),
                'set traits %s' % ','.join(sorted(set(want.traits) | kept)))
    if dep.stored_rp_uuid != want.rp_uuid:
        row('rp_uuid_not_stored', want.rp_uuid, dep.stored_rp_uuid,
            'store rp_uuid %s on deployable %s' % (want.rp_uuid, want.name))
    return rows


def _short(inventory):
    return ', '.join('%s total=%s reserved=%s' % (rc, r['total'],
                                                  r['reserved'])
                     for rc, r in inventory.items()) or 'none'


def _allocation_rows(expected, found):
    rows = []
    by_rp = expected.by_rp_uuid()
    for rp_uuid, provider in found.providers.items():
        if provider.allocations is None:
            continue
        dep = by_rp[rp_uuid]
        wanted = {c: _amounts(a, dep.want.rc)
                  for (c, rp), a in expected.allocations.items()
                  if rp == rp_uuid}
        held = {c: dict(a.get('resources', {}))
                for c, a in provider.allocations.items()}
        for consumer in sorted(set(wanted) | set(held)):
            kind = _allocation_kind(wanted.get(consumer), held.get(consumer),
                                    consumer in expected.tolerated)
            if kind:
                rows.append(Drift(
                    kind, expected.name, rp_uuid, dep.want.name,
                    {'consumer': consumer, 'resources': wanted.get(consumer)},
                    {'consumer': consumer, 'resources': held.get(consumer)},
                    NOVA_OWNS))
    return rows


def _amounts(asked, rc):
    """What a consumer should hold of the provider's class ``rc``."""
    return {rc: asked.get(rc) or sum(asked.values()) or 1}


def _allocation_kind(wanted, held, tolerated):
    if tolerated and wanted is None:
        return None
    if wanted is None:
        return 'allocation_unexpected'
    if held is None:
        return 'allocation_missing'
    if wanted != held:
        return 'allocation_mismatch'
    return None


def host_drift(expected, found):
    """[Drift] of one host (:mod:`cyborg.audit.expected` vs ``found``)."""
    if found.compute_node is None:
        if not expected.deployables:
            return []       # nothing there, nothing expected
        return [Drift('compute_node_missing', expected.name, None,
                      expected.name,
                      {'deployables': len(expected.deployables)}, None,
                      NO_COMPUTE_NODE)]
    cn_uuid = found.compute_node['uuid']
    rows = []
    for dep in expected.deployables:
        rows.extend(_provider_rows(expected.name, dep, cn_uuid,
                                   found.providers[dep.want.rp_uuid]))
    for rp_uuid, stray in sorted(found.strays.items()):
        holders = sorted(stray.allocations or {})
        fix = ('delete the provider' if not holders else
               'none: allocations held by %s; not deleted'
               % ', '.join(holders))
        rows.append(Drift('provider_stray', expected.name, rp_uuid,
                          stray.name, None,
                          {'allocations': holders}, fix))
    rows.extend(_allocation_rows(expected, found))
    by_rp = expected.by_rp_uuid()
    for arq_uuid, rp_uuid, problem in expected.bad_handles:
        dep = by_rp.get(rp_uuid)
        rows.append(Drift('arq_handle_mismatch', expected.name, rp_uuid,
                          dep.want.name if dep else None,
                          {'arq': arq_uuid, 'attach_handle': 'in use, of '
                           'this provider\'s deployable'},
                          {'arq': arq_uuid, 'attach_handle': problem},
                          BAD_HANDLE))
    for arq_uuid, rp_uuid in sorted(expected.unknown_providers.items()):
        rows.append(Drift('arq_provider_unknown', expected.name, rp_uuid,
                          None, {'arq': arq_uuid}, None,
                          UNKNOWN_PROVIDER))
    return rows
