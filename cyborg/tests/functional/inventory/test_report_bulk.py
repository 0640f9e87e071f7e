"""A report's new deployables with their inventories set together by
Placement's reshaper, against the REAL Placement (issue 14 item 5): about
two calls per new deployable, the generations the reshape leaves carried
to the trait writes (no read), and the per-provider path again where the
reshaper is refused (403, remembered) or conflicts (409, that chunk only).
"""
import logging

from cyborg.clients import placement_reshaper
from cyborg.conductor.inventory import placement as rp_sync
from cyborg.conf import CONF
from cyborg.tests.fixtures import placement as placement_fixture
from cyborg.tests.functional.inventory import test_report_cost as cost

TRAITS = {'CUSTOM_NVIDIA_1EB8', 'CUSTOM_T4'}
INVENTORY_PUT = ('PUT', '/resource_providers/{u}/inventories')


def _statuses(recording, method, path):
    return sorted(s for m, p, s in recording.calls
                  if (m, p) == (method, path))


def test_new_deployables_cost_two_calls_each(ctx, database, placement, cn):
    devices = cost._devices(5)
    client, recording = cost._client(placement.adapter)
    summary = cost._report(ctx, devices, client)
    assert summary['added'] == 5
    assert recording.per_path() == {
        ('GET', '/resource_providers'): 1,            # the compute node
        ('POST', '/resource_providers'): 5,
        ('POST', '/reshaper'): 1,                     # 5 inventories
        ('GET', '/traits'): 1,
        ('PUT', '/traits/CUSTOM_NVIDIA_1EB8'): 1,
        ('PUT', '/traits/CUSTOM_T4'): 1,
        ('PUT', '/resource_providers/{u}/traits'): 5}
    # No conflict: each trait write carried the generation left by the
    # reshape.
    assert all(s in (200, 201, 204) for _m, _p, s in recording.calls)
    cost._check_providers(placement, cn, devices, TRAITS)
    # An identical report writes nothing.
    client, recording = cost._client(placement.adapter)
    summary = cost._report(ctx, devices, client)
    assert summary['added'] == summary['updated'] == 0
    assert recording.calls == [('GET', '/resource_providers', 200)]


def test_one_reshape_per_chunk(ctx, database, placement, cn):
    devices = cost._devices(7)
    client, recording = cost._client(placement.adapter)
    client.reshaper.chunk = 3
    cost._report(ctx, devices, client)
    assert _statuses(recording, 'POST', '/reshaper') == [204, 204, 204]
    assert INVENTORY_PUT not in recording.per_path()
    calls = len(recording.calls) - 4    # compute node, /traits, 2 traits
    assert calls == 7 * 2 + 3
    cost._check_providers(placement, cn, devices, TRAITS)


def test_refused_reshaper_falls_back_for_the_client_lifetime(
        ctx, database, placement, cn, caplog):
    """A cyborg user without the service role: the reshaper answers 403
    once; inventories go one by one, now and in later reports."""
    caplog.set_level(logging.WARNING, placement_reshaper.__name__)
    devices = cost._devices(8)
    client, recording = cost._client(
        placement.new_adapter(roles=('admin',)))
    cost._report(ctx, devices[:4], client)
    assert _statuses(recording, 'POST', '/reshaper') == [403]
    assert recording.per_path()[INVENTORY_PUT] == 4
    recording.calls.clear()
    cost._report(ctx, devices, client)
    assert ('POST', '/reshaper') not in recording.per_path()
    assert recording.per_path()[INVENTORY_PUT] == 4
    assert len([r for r in caplog.records
                if 'refuses POST /reshaper' in r.getMessage()]) == 1
    cost._check_providers(placement, cn, devices, TRAITS)


def test_conflict_falls_back_for_that_chunk(ctx, database, placement, cn):
    """A foreign write lands on one new provider just before the first
    reshape: that chunk is refused whole (409) and written provider by
    provider (the raced one re-read); the next chunk goes in bulk."""
    CONF.set_override('placement_sync_workers', 1, group='conductor')
    try:
        devices = cost._devices(4)
        uuids = sorted(rp_sync.provider_uuid(n)
                       for n in cost._names(devices))
        racing = placement_fixture.InterleavingAdapter(
            placement.adapter, 'POST', '/reshaper',
            lambda: placement.bump_generation(uuids[0]))
        client, recording = cost._client(racing)
        client.reshaper.chunk = 2
        cost._report(ctx, devices, client)
    finally:
        CONF.clear_override('placement_sync_workers', group='conductor')
    assert _statuses(recording, 'POST', '/reshaper') == [204, 409]
    assert _statuses(recording, *INVENTORY_PUT) == [200, 200, 409]
    assert _statuses(recording, 'GET',
                     '/resource_providers/{u}/inventories') == [200]
    assert _statuses(recording, 'PUT',
                     '/resource_providers/{u}/traits') == [200] * 4
    assert client.bulk_inventory
    cost._check_providers(placement, cn, devices, TRAITS)


def test_existing_provider_synced_apart(ctx, database, placement, cn):
    """One of the new deployables' providers exists already (with an old
    inventory and trait): it is adopted and synced on its own, the fresh
    ones go in bulk."""
    devices = cost._devices(4)
    name = cost._names(devices)[1]
    old = rp_sync.provider_uuid(name)
    placement.client.ensure_provider(old, name, cn['uuid'])
    placement.client.set_inventory(old, 'PGPU', 7)
    placement.client.set_provider_traits(old, {'CUSTOM_OLD'})
    client, recording = cost._client(placement.adapter)
    cost._report(ctx, devices, client)
    assert _statuses(recording, 'POST', '/reshaper') == [204]
    assert _statuses(recording, 'POST', '/resource_providers') == [
        200, 200, 200, 409]
    assert _statuses(recording, *INVENTORY_PUT) == [200]
    cost._check_providers(placement, cn, devices, TRAITS)
