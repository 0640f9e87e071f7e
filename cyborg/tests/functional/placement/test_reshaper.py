"""Many providers' inventories in one request (Placement's reshaper, no
allocations) against the REAL Placement: the generations the client
computes are those Placement holds, a conflict writes nothing of the
chunk, a policy refusal is remembered."""
import logging

import pytest

from cyborg.clients import placement as pc
from cyborg.clients import placement_reshaper
from cyborg.tests.fixtures.placement import InterleavingAdapter

PGPU = {'PGPU': {'total': 2, 'max_unit': 2}}


def _providers(placement, count):
    cn = placement.create_compute_node('compute-01')
    client = placement.client
    providers = []
    for i in range(count):
        name = 'compute-01_dev%d' % i
        providers.append(client.ensure_provider(
            client.provider_uuid_for(name), name, cn['uuid'],
            likely_new=True))
    return [p['uuid'] for p in providers]


def _states(placement, uuids):
    return {u: pc.ProviderState(placement.generation(u)) for u in uuids}


def test_generations_after_a_reshape_are_placements(placement):
    fresh, filled, emptied = _providers(placement, 3)
    placement.client.set_inventory(filled, 'PGPU', 4)
    placement.client.set_inventory(emptied, 'PGPU', 4)
    placement.bump_generation(filled)
    states = _states(placement, [fresh, filled, emptied])
    client = placement.new_client()
    items = {fresh: (states[fresh], PGPU), filled: (states[filled], PGPU),
             emptied: (states[emptied], {})}
    assert client.set_inventories(items) == []
    assert client.stats['POST'] == 1 and sum(client.stats.values()) == 1
    for rp_uuid, (state, inventories) in items.items():
        assert state.generation == placement.generation(rp_uuid)
        assert state.inventories == inventories
        assert set(placement.client.get_inventories(rp_uuid)) == \
            set(inventories)
    # The generation carried lets the next write go without a read.
    states[fresh].traits = set()        # known: a fresh provider has none
    client.reset_stats()
    assert client.set_provider_traits(fresh, {'OWNER_CYBORG'},
                                      state=states[fresh])
    assert client.stats == {'GET': 0, 'PUT': 1, 'POST': 0, 'DELETE': 0}


@pytest.mark.parametrize('workers', [1, 3])
def test_chunks(placement, workers):
    uuids = _providers(placement, 5)
    client = placement.new_client()
    client.reshaper.chunk = 2
    states = _states(placement, uuids)
    assert client.set_inventories(
        {u: (states[u], PGPU) for u in uuids}, workers) == []
    assert client.stats['POST'] == 3
    assert all(placement.generation(u) == 2 for u in uuids)


@pytest.mark.parametrize('workers', [1, 2])
def test_conflict_writes_nothing_of_the_chunk(placement, workers):
    uuids = sorted(_providers(placement, 4))
    states = _states(placement, uuids)
    racing = InterleavingAdapter(placement.adapter, 'POST', '/reshaper',
                                 lambda: placement.bump_generation(uuids[1]))
    client = pc.PlacementClient(adapter=racing)
    client.reshaper.chunk = 2
    left = client.set_inventories({u: (states[u], PGPU) for u in uuids},
                                  workers)
    assert left == uuids[:2]
    assert [placement.client.get_inventories(u) != {} for u in uuids] == [
        False, False, True, True]
    assert states[uuids[0]].generation == 0      # untouched, still true
    assert client.bulk_inventory


def test_unknown_resource_class_is_left_to_the_caller(placement):
    [rp_uuid] = _providers(placement, 1)
    state = pc.ProviderState(0)
    client = placement.new_client()
    assert client.set_inventories(
        {rp_uuid: (state, {'CUSTOM_NOPE': {'total': 1}})}) == [rp_uuid]
    assert client.bulk_inventory and state.generation == 0


def test_refusal_is_remembered(placement, caplog):
    """A user without the service role: 403, logged once; the client
    does not ask again."""
    uuids = _providers(placement, 2)
    client = placement.new_client(roles=('admin',))
    caplog.set_level(logging.WARNING, placement_reshaper.__name__)
    for rp_uuid in uuids:
        state = pc.ProviderState(placement.generation(rp_uuid))
        assert client.set_inventories({rp_uuid: (state, PGPU)}) == [rp_uuid]
    assert client.stats['POST'] == 1
    assert not client.bulk_inventory
    warnings = [r for r in caplog.records
                if 'refuses POST /reshaper' in r.getMessage()]
    assert len(warnings) == 1
    assert all(placement.client.get_inventories(u) == {} for u in uuids)


def test_switched_off(placement):
    [rp_uuid] = _providers(placement, 1)
    client = placement.new_client(bulk_inventory=False)
    assert client.set_inventories(
        {rp_uuid: (pc.ProviderState(0), PGPU)}) == [rp_uuid]
    assert sum(client.stats.values()) == 0
