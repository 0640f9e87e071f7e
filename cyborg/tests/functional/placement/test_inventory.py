"""Resource classes and inventory against real Placement (§4.4.3, §4.4.4,
decisions D3.7: generations, retries, fields we do not own)."""
import pytest

from cyborg.clients import placement as pc
from cyborg.tests.fixtures.placement import InterleavingAdapter
from cyborg.tests.functional.placement import conftest

DEVICE = 'compute-01_0000:3d:01.0'


@pytest.fixture
def rp(placement):
    return conftest.device_provider(placement, DEVICE)


def _put_inventory(placement, rp_uuid, inventories):
    body = {'resource_provider_generation': placement.generation(rp_uuid),
            'inventories': inventories}
    url = '/resource_providers/%s/inventories' % rp_uuid
    resp = placement.raw('PUT', url, body)
    assert resp.status_code == 200, resp.text


def test_standard_resource_class_makes_no_call(placement):
    client = placement.client
    assert client.ensure_resource_class('FPGA') is False
    assert client.ensure_resource_class('VGPU') is False
    assert sum(client.stats.values()) == 0


def test_custom_resource_class_created_once(placement):
    client = placement.client
    assert client.ensure_resource_class('CUSTOM_QAT') is True
    assert placement.raw('GET', '/resource_classes/CUSTOM_QAT').status_code \
        == 200
    client.reset_stats()
    assert client.ensure_resource_class('CUSTOM_QAT') is False
    assert client.writes == 0


@pytest.mark.parametrize('name', ['CUSTOM_', 'custom_qat', 'QAT',
                                  'CUSTOM_QA-T', ''])
def test_invalid_resource_class(placement, name):
    with pytest.raises(pc.InvalidResourceClass):
        placement.client.ensure_resource_class(name)
    assert sum(placement.client.stats.values()) == 0


def test_set_inventory_new(placement, rp):
    client = placement.client
    assert client.set_inventory(rp, 'VGPU', 8) is True
    assert client.get_inventories(rp) == {'VGPU': {
        'total': 8, 'max_unit': 8, 'reserved': 0, 'min_unit': 1,
        'step_size': 1, 'allocation_ratio': 1.0}}


def test_identical_inventory_is_not_written(placement, rp):
    client = placement.client
    client.set_inventory(rp, 'VGPU', 8)
    generation = placement.generation(rp)
    client.reset_stats()
    assert client.set_inventory(rp, 'VGPU', 8) is False
    assert client.writes == 0
    assert client.stats['GET'] == 1
    assert placement.generation(rp) == generation


def test_fields_we_do_not_own_are_kept(placement, rp):
    client = placement.client
    _put_inventory(placement, rp, {'VGPU': {
        'total': 4, 'max_unit': 4, 'reserved': 1, 'min_unit': 2,
        'step_size': 2, 'allocation_ratio': 2.0}})
    assert client.set_inventory(rp, 'VGPU', 8) is True
    assert client.get_inventories(rp) == {'VGPU': {
        'total': 8, 'max_unit': 8, 'reserved': 1, 'min_unit': 2,
        'step_size': 2, 'allocation_ratio': 2.0}}


def test_reserved_survives_a_total_change(placement, rp):
    client = placement.client
    client.set_inventory(rp, 'VGPU', 8)
    client.set_reserved(rp, 'VGPU', 8)           # device disabled
    assert client.set_inventory(rp, 'VGPU', 16) is True
    inv = client.get_inventories(rp)['VGPU']
    assert (inv['total'], inv['max_unit'], inv['reserved']) == (16, 16, 8)
    # shrinking below reserved keeps the device fully reserved
    client.set_inventory(rp, 'VGPU', 4)
    inv = client.get_inventories(rp)['VGPU']
    assert (inv['total'], inv['max_unit'], inv['reserved']) == (4, 4, 4)


def test_other_classes_are_replaced(placement, rp):
    client = placement.client
    client.ensure_resource_class('CUSTOM_OLD')
    client.set_inventory(rp, 'CUSTOM_OLD', 2)
    assert client.set_inventory(rp, 'FPGA', 2) is True
    assert list(client.get_inventories(rp)) == ['FPGA']


def test_total_zero_removes_inventory(placement, rp):
    client = placement.client
    client.set_inventory(rp, 'FPGA', 2)
    assert client.set_inventory(rp, 'FPGA', 0) is True
    assert client.get_inventories(rp) == {}
    assert client.set_inventory(rp, 'FPGA', 0) is False


def test_replacing_an_allocated_class_is_refused(placement, rp):
    client = placement.client
    client.set_inventory(rp, 'FPGA', 2)
    placement.allocate(rp, {'FPGA': 1})
    with pytest.raises(pc.PlacementInventoryInUse):
        client.set_inventory(rp, 'PGPU', 1)
    assert list(client.get_inventories(rp)) == ['FPGA']


def test_set_reserved_touches_only_reserved(placement, rp):
    client = placement.client
    client.ensure_resource_class('CUSTOM_KEEP')
    _put_inventory(placement, rp, {
        'FPGA': {'total': 4, 'max_unit': 2, 'allocation_ratio': 1.5},
        'CUSTOM_KEEP': {'total': 1}})
    client.reset_stats()
    assert client.set_reserved(rp, 'FPGA', 4) is True
    inv = client.get_inventories(rp)
    assert inv['FPGA'] == {'total': 4, 'max_unit': 2, 'reserved': 4,
                           'min_unit': 1, 'step_size': 1,
                           'allocation_ratio': 1.5}
    assert inv['CUSTOM_KEEP']['total'] == 1
    assert client.set_reserved(rp, 'FPGA', 4) is False
    assert client.set_reserved(rp, 'FPGA', 0) is True
    assert client.get_inventories(rp)['FPGA']['reserved'] == 0
    assert client.set_reserved(rp, 'FPGA', 99) is True     # clamped
    assert client.get_inventories(rp)['FPGA']['reserved'] == 4
    assert client.stats['PUT'] == 3


def test_set_reserved_without_inventory(placement, rp):
    with pytest.raises(pc.PlacementInventoryNotFound):
        placement.client.set_reserved(rp, 'FPGA', 1)


def test_generation_conflict_is_retried_with_a_fresh_read(placement, rp):
    adapter = InterleavingAdapter(placement.adapter, 'PUT', '/inventories',
                                  lambda: placement.bump_generation(rp))
    client = pc.PlacementClient(adapter=adapter)
    client.set_inventory(rp, 'FPGA', 1)   # consumes the one interleave
    assert adapter.remaining == 0
    assert client.stats == {'GET': 2, 'PUT': 2, 'POST': 0, 'DELETE': 0}
    assert client.get_inventories(rp)['FPGA']['total'] == 1


def test_set_reserved_conflict_keeps_the_foreign_write(placement, rp):
    client = placement.client
    client.set_inventory(rp, 'FPGA', 4)

    def operator_sets_ratio():
        _put_inventory(placement, rp, {'FPGA': {
            'total': 4, 'max_unit': 4, 'allocation_ratio': 3.0}})

    adapter = InterleavingAdapter(placement.adapter, 'PUT', '/inventories',
                                  operator_sets_ratio)
    racing = pc.PlacementClient(adapter=adapter)
    assert racing.set_reserved(rp, 'FPGA', 4) is True
    assert racing.stats['PUT'] == 2
    inv = client.get_inventories(rp)['FPGA']
    assert (inv['reserved'], inv['allocation_ratio']) == (4, 3.0)


def test_retries_are_bounded(placement, rp):
    adapter = InterleavingAdapter(placement.adapter, 'PUT', '/inventories',
                                  lambda: placement.bump_generation(rp),
                                  times=100)
    client = pc.PlacementClient(adapter=adapter, max_retries=2)
    with pytest.raises(pc.PlacementGenerationConflict):
        client.set_inventory(rp, 'FPGA', 1)
    assert client.stats['PUT'] == 3
