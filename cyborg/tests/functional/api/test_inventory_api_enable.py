"""POST /v2/devices/{uuid}/disable|enable end to end (api.md §10.4, Q15).

API -> conductor (in-process RPC) -> database and the real in-process
Placement: the provider's ``reserved`` follows the device status.
"""
import pytest

from cyborg.tests.fixtures import placement as placement_fixture
from cyborg.tests.functional.api import inventory_fixtures as inv

GPU, FPGA = inv.GPU, inv.FPGA


@pytest.fixture
def api():
    yield from inv.serve()


@pytest.fixture
def placement(api):
    """Placement holding the samples' providers (1 PGPU, 1 FPGA)."""
    with placement_fixture.PlacementFixture() as fixture:
        fixture.configure()
        client = fixture.client
        cn7 = fixture.create_compute_node('compute-07')
        cn11 = fixture.create_compute_node('compute-11')
        client.ensure_provider(inv.GPU_RP, 'compute-07_0000:3b:00.0',
                               cn7['uuid'])
        client.set_inventory(inv.GPU_RP, 'PGPU', 1)
        client.ensure_provider(inv.FPGA_RP, 'intel-fpga-dev.0',
                               cn11['uuid'])
        client.set_inventory(inv.FPGA_RP, 'FPGA', 1)
        yield fixture


def reserved(placement, rp, rc):
    return placement.client.get_inventories(rp)[rc]['reserved']


def status(api, uuid):
    return api.get('/v2/devices/' + uuid, version='2.3').data['status']


def test_disable_and_enable(api, placement):
    resp = api.post('/v2/devices/%s/disable' % GPU)
    assert resp.status_int == 204
    assert resp.body == b''
    assert 'Content-Type' not in resp.headers
    assert status(api, GPU) == 'maintaining'
    assert reserved(placement, inv.GPU_RP, 'PGPU') == 1
    assert reserved(placement, inv.FPGA_RP, 'FPGA') == 0
    assert status(api, FPGA) == 'enabled'
    resp = api.post('/v2/devices/%s/enable' % GPU, version='2.3')
    assert resp.status_int == 204
    assert resp.headers['OpenStack-API-Version'] == 'accelerator 2.3'
    assert status(api, GPU) == 'enabled'
    assert reserved(placement, inv.GPU_RP, 'PGPU') == 0


def test_disable_each_device_touches_only_its_provider(api, placement):
    assert api.post('/v2/devices/%s/disable' % FPGA).status_int == 204
    assert reserved(placement, inv.FPGA_RP, 'FPGA') == 1
    assert reserved(placement, inv.GPU_RP, 'PGPU') == 0


def test_unknown_or_malformed_device_is_404(api, placement):
    for value in ('4bd64e1f-7d2a-4b3a-9d54-3b8c8f0d6b7e', 'nope'):
        resp = api.post('/v2/devices/%s/disable' % value)
        assert resp.status_int == 404
        assert inv.fault(resp) == 'Device not found with uuid=' + value


def test_body_must_be_empty(api, placement):
    resp = api.post('/v2/devices/%s/enable' % GPU, {'x': 1})
    assert resp.status_int == 400
    assert inv.fault(resp) == 'Unknown argument: "x"'
    resp = api.post('/v2/devices/%s/enable' % GPU, raw=b'{oops')
    assert resp.status_int == 400
    assert api.post('/v2/devices/%s/disable' % GPU, {}).status_int == 204
    assert reserved(placement, inv.GPU_RP, 'PGPU') == 1


def test_only_admin(api, placement):
    manager = api.as_roles(inv.MANAGER)
    resp = manager.post('/v2/devices/%s/disable' % GPU)
    assert resp.status_int == 403
    assert status(api, GPU) == 'enabled'
    assert reserved(placement, inv.GPU_RP, 'PGPU') == 0
