"""reconcile() repairs drift injected straight into the real Placement."""
import time

import sqlalchemy as sa

from cyborg.conductor.inventory import reconcile
from cyborg.conductor.inventory import report as inventory
from cyborg.db import models
from cyborg.tests.functional.inventory import conftest

FAKE_RP = '543a03cc-fcc6-3b4f-bd88-b6df86721dd1'


def _first_report(ctx):
    inventory.report_data(ctx, conftest.HOST, conftest.fake_devices())


def _put_inventory(placement, rp_uuid, inventories):
    body = {'resource_provider_generation': placement.generation(rp_uuid),
            'inventories': inventories}
    resp = placement.raw('PUT', '/resource_providers/%s/inventories'
                         % rp_uuid, body)
    assert resp.status_code == 200, resp.text


def test_nothing_to_repair_makes_no_write(ctx, database, placement, cn):
    _first_report(ctx)
    client = placement.new_client()
    assert reconcile.reconcile(ctx, client) == {}
    assert client.writes == 0


def test_deleted_provider_recreated(ctx, database, placement, cn):
    _first_report(ctx)
    assert placement.raw('DELETE', '/resource_providers/' +
                         FAKE_RP).status_code == 204
    repaired = reconcile.reconcile(ctx, placement.new_client())
    assert 'created provider' in repaired[conftest.HOST + '_FakeDevice']
    rp = placement.client.get_provider(FAKE_RP)
    assert rp['parent_provider_uuid'] == cn['uuid']
    assert placement.client.get_inventories(FAKE_RP)['FPGA']['total'] == 16
    assert placement.client.get_traits(FAKE_RP) == {'CUSTOM_FAKE_DEVICE',
                                                    'OWNER_CYBORG'}


def test_inventory_and_traits_repaired(ctx, database, placement, cn):
    _first_report(ctx)
    _put_inventory(placement, FAKE_RP, {
        'FPGA': {'total': 3, 'max_unit': 3, 'reserved': 1},
        'PGPU': {'total': 1}})
    placement.raw('PUT', '/traits/CUSTOM_INTRUDER')
    placement.raw('PUT', '/resource_providers/%s/traits' % FAKE_RP, {
        'resource_provider_generation': placement.generation(FAKE_RP),
        'traits': ['CUSTOM_INTRUDER']})
    repaired = reconcile.reconcile(ctx, placement.new_client())
    assert len(repaired[conftest.HOST + '_FakeDevice']) == 2
    inv = placement.client.get_inventories(FAKE_RP)
    assert set(inv) == {'FPGA'}
    # total is ours; the operator's reserved is kept (D3.7)
    assert (inv['FPGA']['total'], inv['FPGA']['max_unit'],
            inv['FPGA']['reserved']) == (16, 16, 1)
    assert placement.client.get_traits(FAKE_RP) == {'CUSTOM_FAKE_DEVICE',
                                                    'OWNER_CYBORG'}


def test_reparented_provider_moved_back(ctx, database, placement, cn):
    _first_report(ctx)
    other = placement.create_compute_node('elsewhere')
    resp = placement.raw('PUT', '/resource_providers/' + FAKE_RP, {
        'name': 'renamed', 'parent_provider_uuid': other['uuid']})
    assert resp.status_code == 200, resp.text
    repaired = reconcile.reconcile(ctx, placement.new_client())
    assert repaired
    rp = placement.client.get_provider(FAKE_RP)
    assert (rp['name'], rp['parent_provider_uuid']) == (
        conftest.HOST + '_FakeDevice', cn['uuid'])


def test_lost_rp_uuid_restored(ctx, database, placement, cn):
    _first_report(ctx)
    with database.session() as s:
        s.execute(sa.update(models.Deployable).values(rp_uuid=None))
        s.commit()
    reconcile.reconcile(ctx, placement.new_client())
    with database.session() as s:
        assert s.scalars(sa.select(models.Deployable.rp_uuid)).one() == \
            FAKE_RP


def test_periodic_runs_and_stops(ctx, database, placement, cn):
    _first_report(ctx)
    placement.raw('DELETE', '/resource_providers/' + FAKE_RP)
    periodic = reconcile.start_periodic(0.05, client=placement.new_client())
    try:
        deadline = time.monotonic() + 10
        while periodic.runs < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        periodic.stop()
    assert periodic.runs >= 2
    assert placement.client.get_provider(FAKE_RP) is not None
