"""report_data against a real database and the REAL Placement
(internals.md §4.3-§4.4, decisions D3.5-D3.7)."""
import copy

import pytest
import sqlalchemy as sa

from cyborg.common import exception
from cyborg.conductor.inventory import report as inventory
from cyborg.db import models
from cyborg.tests.functional.inventory import conftest

HOST = conftest.HOST
FAKE_NAME = HOST + '_FakeDevice'
FAKE_RP = '543a03cc-fcc6-3b4f-bd88-b6df86721dd1'   # spec: uuid3 DNS


def _rows(database, model, **filters):
    with database.session() as s:
        return list(s.scalars(sa.select(model).filter_by(**filters)))


def _provider(placement, rp_uuid):
    resp = placement.raw('GET', '/resource_providers/%s' % rp_uuid)
    return resp.json() if resp.status_code == 200 else None


def _report(ctx, devices, client=None):
    return inventory.report_data(ctx, HOST, copy.deepcopy(devices),
                                 client=client)


def test_first_report_creates_rows_and_providers(ctx, database, placement,
                                                   cn):
    summary = _report(ctx, conftest.fake_devices())
    assert summary['added'] == 1 and summary['placement_failures'] == []
    [dev] = _rows(database, models.Device)
    assert (dev.hostname, dev.type, dev.status) == (HOST, 'FPGA', 'enabled')
    [dep] = _rows(database, models.Deployable)
    assert (dep.name, dep.num_accelerators, dep.rp_uuid) == (
        FAKE_NAME, 16, FAKE_RP)
    assert len(_rows(database, models.AttachHandle)) == 16
    assert {(a.key, a.value) for a in _rows(database, models.Attribute)} == {
        ('traits1', 'CUSTOM_FAKE_DEVICE'), ('rc', 'FPGA')}
    rp = _provider(placement, FAKE_RP)
    assert rp['name'] == FAKE_NAME
    assert rp['parent_provider_uuid'] == cn['uuid']
    inv = placement.client.get_inventories(FAKE_RP)
    assert inv == {'FPGA': {'total': 16, 'max_unit': 16, 'reserved': 0,
                            'min_unit': 1, 'step_size': 1,
                            'allocation_ratio': 1.0}}
    assert placement.client.get_traits(FAKE_RP) == {
        'CUSTOM_FAKE_DEVICE', 'OWNER_CYBORG'}


def test_identical_report_makes_no_placement_write(ctx, database, placement,
                                                   cn):
    _report(ctx, conftest.fake_devices())
    client = placement.new_client()
    summary = _report(ctx, conftest.fake_devices(), client=client)
    assert client.writes == 0, client.stats
    assert client.stats['GET'] == 1    # the compute-node look-up only
    assert summary == {'added': 0, 'updated': 0, 'removed': 0,
                       'deferred': [], 'placement_failures': []}


def test_unknown_compute_node(ctx, database, placement, cn):
    with pytest.raises(exception.PlacementResourceProviderNotFound):
        inventory.report_data(ctx, 'nowhere', conftest.fake_devices())
    assert _rows(database, models.Device) == []


def test_device_change_updates_inventory_keeps_reserved(ctx, database,
                                                        placement, cn):
    devices = [conftest.gpu_device(1, rc='VGPU', num=4,
                                   traits=('OWNER_CYBORG', 'CUSTOM_A'))]
    _report(ctx, devices)
    rp = placement.client.provider_uuid_for(
        devices[0]['deployable_list'][0]['name'])
    placement.client.set_reserved(rp, 'VGPU', 1)      # operator's
    dep = devices[0]['deployable_list'][0]
    dep['num_accelerators'] = 8
    dep['attribute_list'] = [{'key': 'rc', 'value': 'VGPU'},
                             {'key': 'trait0', 'value': 'CUSTOM_B'}]
    summary = _report(ctx, devices)
    assert summary['updated'] == 1
    inv = placement.client.get_inventories(rp)['VGPU']
    assert (inv['total'], inv['max_unit'], inv['reserved']) == (8, 8, 1)
    assert placement.client.get_traits(rp) == {'CUSTOM_B', 'OWNER_CYBORG'}
    [row] = _rows(database, models.Deployable)
    assert row.num_accelerators == 8
    # traits are never deleted globally (D3.5)
    assert placement.raw('GET', '/traits/CUSTOM_A').status_code == 204


def test_rc_change_replaces_inventory(ctx, database, placement, cn):
    devices = [conftest.gpu_device(2, rc='CUSTOM_OLD')]
    _report(ctx, devices)
    rp = placement.client.provider_uuid_for(
        devices[0]['deployable_list'][0]['name'])
    devices[0]['deployable_list'][0]['attribute_list'][0]['value'] = \
        'CUSTOM_NEW'
    _report(ctx, devices)
    assert set(placement.client.get_inventories(rp)) == {'CUSTOM_NEW'}
    assert placement.raw('GET',
                         '/resource_classes/CUSTOM_OLD').status_code == 200


def test_device_disappears(ctx, database, placement, cn):
    _report(ctx, conftest.fake_devices() + [conftest.gpu_device(3)])
    summary = _report(ctx, [conftest.gpu_device(3)])
    assert summary['removed'] == 1
    assert _provider(placement, FAKE_RP) is None
    assert [d.name for d in _rows(database, models.Deployable)] == [
        HOST + '_0000:00:03.0']
    assert len(_rows(database, models.Device)) == 1
    assert len(_rows(database, models.ControlpathID)) == 1
    assert len(_rows(database, models.AttachHandle)) == 1
    # an empty full snapshot removes everything of the host
    _report(ctx, [])
    assert _rows(database, models.Device) == []
    assert placement.client.list_children(cn['uuid']) == []


def _set_in_use(database, value):
    with database.session() as s:
        s.execute(sa.update(models.AttachHandle).values(in_use=False))
        if value:
            first = s.scalars(sa.select(models.AttachHandle)).first()
            first.in_use = True
        s.commit()


def test_disappears_while_handle_in_use(ctx, database, placement, cn):
    _report(ctx, conftest.fake_devices())
    _set_in_use(database, True)
    summary = _report(ctx, [])
    assert summary['deferred'] == [FAKE_NAME]
    [dep] = _rows(database, models.Deployable)
    assert dep.pending_removal is True
    assert len(_rows(database, models.Device)) == 1
    assert len(_rows(database, models.AttachHandle)) == 16
    # kept in Placement, but nothing new can be scheduled on it
    inv = placement.client.get_inventories(FAKE_RP)['FPGA']
    assert (inv['total'], inv['reserved']) == (16, 16)
    client = placement.new_client()
    assert _report(ctx, [], client=client)['deferred'] == [FAKE_NAME]
    assert client.writes == 0
    _set_in_use(database, False)
    assert _report(ctx, [])['removed'] == 1
    assert _rows(database, models.Device) == []
    assert _provider(placement, FAKE_RP) is None


def test_disappears_while_allocated(ctx, database, placement, cn):
    _report(ctx, conftest.fake_devices())
    consumer = placement.allocate(FAKE_RP, {'FPGA': 1})
    summary = _report(ctx, [])
    assert summary['deferred'] == [FAKE_NAME]
    assert _rows(database, models.Deployable)[0].pending_removal is True
    assert _provider(placement, FAKE_RP) is not None
    # it comes back: pending cleared, un-reserved
    _report(ctx, conftest.fake_devices())
    assert _rows(database, models.Deployable)[0].pending_removal is False
    assert placement.client.get_inventories(FAKE_RP)['FPGA']['reserved'] \
        == 0
    _report(ctx, [])
    placement.deallocate(consumer)
    assert _report(ctx, [])['removed'] == 1
    assert _provider(placement, FAKE_RP) is None
    assert _rows(database, models.Deployable) == []


def test_handle_removed_while_in_use_is_kept(ctx, database, placement, cn):
    devices = conftest.fake_devices()
    _report(ctx, devices)
    with database.session() as s:
        handle = s.scalars(sa.select(models.AttachHandle)
                           .order_by(models.AttachHandle.id)).first()
        handle.in_use = True
        info = handle.attach_info
        s.commit()
    dep = devices[0]['deployable_list'][0]
    dep['attach_handle_list'] = dep['attach_handle_list'][8:]
    dep['num_accelerators'] = 8
    _report(ctx, devices)
    infos = {h.attach_info for h in _rows(database, models.AttachHandle)}
    assert len(infos) == 9 and info in infos
    assert placement.client.get_inventories(FAKE_RP)['FPGA']['total'] == 8


def test_stub_device_untouched(ctx, database, placement, cn):
    _report(ctx, conftest.fake_devices())
    stub = conftest.fake_devices()
    stub[0]['stub'] = True
    stub[0]['deployable_list'] = []
    assert _report(ctx, stub)['removed'] == 0
    assert len(_rows(database, models.Deployable)) == 1


def test_disabled_device_stays_reserved_on_resize(ctx, database, placement,
                                                  cn):
    devices = [conftest.gpu_device(4, rc='VGPU', num=4)]
    _report(ctx, devices)
    with database.session() as s:
        s.execute(sa.update(models.Device).values(status='maintaining'))
        s.commit()
    devices[0]['deployable_list'][0]['num_accelerators'] = 6
    _report(ctx, devices)
    rp = _rows(database, models.Deployable)[0].rp_uuid
    inv = placement.client.get_inventories(rp)['VGPU']
    assert (inv['total'], inv['reserved']) == (6, 6)


def test_bad_deployable_isolated(ctx, database, placement, cn):
    bad = conftest.gpu_device(5, rc='not-a-class')
    summary = _report(ctx, [bad, conftest.gpu_device(6)])
    assert summary['placement_failures'] == [HOST + '_0000:00:05.0']
    rps = {d.name: d.rp_uuid for d in _rows(database, models.Deployable)}
    assert rps[HOST + '_0000:00:05.0'] is None
    assert rps[HOST + '_0000:00:06.0'] is not None


def test_upstream_object_primitives_accepted(ctx, database, placement):
    import json
    with open(conftest.REPORT_DATA) as f:
        args = json.load(f)['args']
    placement.create_compute_node(args['hostname'])
    client = placement.new_client()
    inventory.report_data(ctx, args['hostname'],
                          args['driver_device_list'], client=client)
    [dep] = _rows(database, models.Deployable)
    assert dep.name == 'compute-01_0000:d8:00.0'
    assert dep.rp_uuid == '4d33b95f-50e5-3b07-ab41-f9aa41873f42'
