"""The standalone mode's embedded Placement: a real socket, a real file."""
import os

import pytest

from cyborg import placement_embedded
from cyborg.clients import placement as pc
from cyborg.tests.fixtures import placement as placement_fixture


def test_start_stop_and_persistence(tmp_path):
    running = placement_embedded.start(str(tmp_path), port=0)
    try:
        assert running.endpoint.startswith('http://127.0.0.1:')
        assert os.path.exists(tmp_path / 'placement.sqlite')
        client = pc.PlacementClient(adapter=running.adapter())
        cn = client.ensure_compute_node('standalone-host')
        rp_uuid = client.provider_uuid_for('standalone-host_FakeDevice')
        client.ensure_provider(rp_uuid, 'standalone-host_FakeDevice',
                               cn['uuid'])
        client.set_inventory(rp_uuid, 'FPGA', 3)
    finally:
        running.stop()
    running.stop()                                    # idempotent

    with placement_embedded.start(str(tmp_path), port=0) as again:
        client = pc.PlacementClient(adapter=again.adapter())
        assert client.get_provider_by_name('standalone-host')['uuid'] == \
            cn['uuid']
        assert client.get_inventories(rp_uuid)['FPGA']['total'] == 3


def test_requires_a_token(tmp_path):
    with placement_embedded.start(str(tmp_path), port=0) as running:
        client = pc.PlacementClient(adapter=running.adapter(token='nobody'))
        with pytest.raises(pc.PlacementRequestFailed) as err:
            client.ensure_compute_node('x')
        assert err.value.kwargs['status'] == 403


def test_one_placement_per_process(tmp_path):
    with placement_embedded.start(str(tmp_path), port=0):
        with pytest.raises(RuntimeError):
            placement_embedded.start(str(tmp_path / 'other'), port=0)
    # the failed start left nothing behind
    with placement_embedded.start(str(tmp_path / 'other'), port=0):
        pass


def test_fixture_with_a_real_server():
    with placement_fixture.PlacementFixture(real_server=True) as placement:
        assert placement.endpoint.startswith('http://127.0.0.1:')
        cn = placement.create_compute_node('cn-real')
        assert placement.client.get_provider(cn['uuid'])['name'] == 'cn-real'
