"""Provider tree against real Placement (internals.md §4.4.1-2, §4.4.6)."""
import pytest

from cyborg.clients import placement as pc
from cyborg.common import exception

DEVICE = 'compute-01_0000:af:00.0'
DEVICE_UUID = 'a5e37544-7de4-32d3-b4aa-5eff02cf0f30'


@pytest.fixture
def cn(placement):
    return placement.create_compute_node('compute-01.example.org')


def test_provider_uuid_is_uuid3_of_the_name():
    assert pc.PlacementClient.provider_uuid_for(DEVICE) == DEVICE_UUID
    assert pc.PlacementClient.provider_uuid_for(
        'compute-01_FakeDevice') == '543a03cc-fcc6-3b4f-bd88-b6df86721dd1'


def test_get_provider_by_name(placement, cn):
    client = placement.client
    assert client.get_provider_by_name('compute-01.example.org')['uuid'] == \
        cn['uuid']
    assert client.get_provider_by_name('nope') is None
    assert client.get_provider('00000000-0000-4000-8000-000000000000') is None


def test_ensure_compute_node_creates_once(placement):
    client = placement.client
    uuid = 'c0ffee00-0000-4000-8000-000000000001'
    created = client.ensure_compute_node('cn-standalone', uuid=uuid)
    assert created['uuid'] == uuid
    assert created['parent_provider_uuid'] is None
    client.reset_stats()
    again = client.ensure_compute_node('cn-standalone')
    assert again['uuid'] == uuid
    assert client.writes == 0


def test_ensure_provider_with_derived_uuid_and_parent(placement, cn):
    client = placement.client
    rp_uuid = client.provider_uuid_for(DEVICE)
    rp = client.ensure_provider(rp_uuid, DEVICE, cn['uuid'])
    assert rp['uuid'] == DEVICE_UUID
    assert rp['name'] == DEVICE
    assert rp['parent_provider_uuid'] == cn['uuid']
    assert rp['root_provider_uuid'] == cn['uuid']
    client.reset_stats()
    assert client.ensure_provider(rp_uuid, DEVICE, cn['uuid'])['uuid'] == \
        rp_uuid
    assert client.stats == {'GET': 1, 'PUT': 0, 'POST': 0, 'DELETE': 0}


def test_ensure_provider_name_clash_is_an_error(placement, cn):
    client = placement.client
    squatter = placement.create_compute_node(DEVICE)
    with pytest.raises(pc.ResourceProviderNameConflict) as err:
        client.ensure_provider(DEVICE_UUID, DEVICE, cn['uuid'])
    assert squatter['uuid'] in str(err.value)
    assert DEVICE in str(err.value)
    assert client.get_provider(DEVICE_UUID) is None


@pytest.mark.parametrize('likely_new', [False, True])
def test_ensure_provider_unknown_parent(placement, likely_new):
    with pytest.raises(exception.PlacementResourceProviderNotFound):
        placement.client.ensure_provider(
            DEVICE_UUID, DEVICE, '00000000-0000-4000-8000-000000000000',
            likely_new=likely_new)


def test_ensure_likely_new_provider_creates_without_looking_up(placement,
                                                               cn):
    client = placement.client
    client.reset_stats()
    rp = client.ensure_provider(DEVICE_UUID, DEVICE, cn['uuid'],
                                likely_new=True)
    assert (rp['uuid'], rp['generation']) == (DEVICE_UUID, 0)
    assert client.stats == {'GET': 0, 'PUT': 0, 'POST': 1, 'DELETE': 0}
    state = pc.ProviderState.of(rp)
    assert (state.inventories, state.traits) == ({}, set())
    # It exists now: the create is refused and the provider read.
    client.reset_stats()
    again = client.ensure_provider(DEVICE_UUID, DEVICE, cn['uuid'],
                                   likely_new=True)
    assert again['uuid'] == DEVICE_UUID
    assert client.stats == {'GET': 1, 'PUT': 0, 'POST': 1, 'DELETE': 0}


def test_likely_new_provider_name_clash_is_an_error(placement, cn):
    squatter = placement.create_compute_node(DEVICE)
    with pytest.raises(pc.ResourceProviderNameConflict) as err:
        placement.client.ensure_provider(DEVICE_UUID, DEVICE, cn['uuid'],
                                         likely_new=True)
    assert squatter['uuid'] in str(err.value)


def test_list_children(placement, cn):
    client = placement.client
    names = ['compute-01_0000:af:00.0', 'compute-01_0000:d8:00.0']
    for name in names:
        client.ensure_provider(client.provider_uuid_for(name), name,
                               cn['uuid'])
    children = client.list_children(cn['uuid'])
    assert sorted(c['name'] for c in children) == names
    assert client.list_children(children[0]['uuid']) == []


def _device(client, cn, name=DEVICE, rc='FPGA', total=2):
    rp_uuid = client.provider_uuid_for(name)
    client.ensure_provider(rp_uuid, name, cn['uuid'])
    client.set_inventory(rp_uuid, rc, total)
    return rp_uuid


def test_delete_provider(placement, cn):
    client = placement.client
    rp_uuid = _device(client, cn)
    assert client.delete_provider(rp_uuid) is True
    assert client.get_provider(rp_uuid) is None
    assert client.delete_provider(rp_uuid) is False
    assert client.get_provider(cn['uuid']) is not None


def test_delete_refused_while_allocated(placement, cn):
    client = placement.client
    rp_uuid = _device(client, cn)
    consumer = placement.allocate(rp_uuid, {'FPGA': 1})
    allocations = client.get_allocations(rp_uuid)
    assert list(allocations) == [consumer]
    assert allocations[consumer]['resources'] == {'FPGA': 1}
    assert client.get_usages(rp_uuid) == {'FPGA': 1}
    client.reset_stats()
    with pytest.raises(pc.ResourceProviderInUse):
        client.delete_provider(rp_uuid)
    assert client.stats['DELETE'] == 0
    assert client.get_provider(rp_uuid) is not None
    placement.deallocate(consumer)
    assert client.delete_provider(rp_uuid) is True


def test_delete_removes_children_first(placement, cn):
    client = placement.client
    rp_uuid = _device(client, cn)
    child = client.ensure_provider(client.provider_uuid_for('vf0'), 'vf0',
                                   rp_uuid)
    assert client.delete_provider(rp_uuid) is True
    assert client.get_provider(child['uuid']) is None
    assert client.get_provider(rp_uuid) is None


def test_delete_refused_when_a_child_is_allocated(placement, cn):
    client = placement.client
    rp_uuid = _device(client, cn)
    child = client.ensure_provider(client.provider_uuid_for('vf0'), 'vf0',
                                   rp_uuid)
    client.ensure_resource_class('CUSTOM_VF')
    client.set_inventory(child['uuid'], 'CUSTOM_VF', 1)
    placement.allocate(child['uuid'], {'CUSTOM_VF': 1})
    client.reset_stats()
    with pytest.raises(pc.ResourceProviderInUse):
        client.delete_provider(rp_uuid)
    assert client.stats['DELETE'] == 0
    assert client.get_provider(child['uuid']) is not None


def test_reads_of_unknown_provider_raise_not_found(placement):
    client = placement.client
    missing = '00000000-0000-4000-8000-000000000000'
    for read in (client.get_inventories, client.get_traits,
                 client.get_allocations, client.get_usages):
        with pytest.raises(exception.PlacementResourceProviderNotFound):
            read(missing)
    with pytest.raises(exception.PlacementResourceProviderNotFound):
        client.set_inventory(missing, 'FPGA', 1)
