"""Client plumbing: counters, error mapping, configuration."""
import pytest
from wsgi_intercept import interceptor

from cyborg.clients import ksa
from cyborg.clients import placement as pc
from cyborg.common import exception
from cyborg.conf import CONF


def _report(client, cn_uuid, name, rc, total, traits):
    """What the conductor does for one deployable (§4.3 step 3)."""
    rp_uuid = client.provider_uuid_for(name)
    client.ensure_resource_class(rc)
    client.ensure_provider(rp_uuid, name, cn_uuid)
    client.set_inventory(rp_uuid, rc, total)
    client.set_provider_traits(rp_uuid, traits)
    return rp_uuid


DEVICES = [
    ('compute-01_0000:af:00.0', 'VGPU', 8,
     ['OWNER_CYBORG', 'CUSTOM_NVIDIA_1EB8_T4_2B']),
    ('compute-01_0000:65:00.0', 'CUSTOM_QAT', 4, []),
]


def test_repeated_identical_report_makes_no_writes(placement):
    client = placement.client
    cn = client.ensure_compute_node('compute-01.example.org')
    for device in DEVICES:
        _report(client, cn['uuid'], *device)
    assert client.writes > 0
    client.reset_stats()
    for device in DEVICES:
        _report(client, cn['uuid'], *device)
    assert client.writes == 0
    assert client.stats['GET'] > 0
    assert set(client.stats) == {'GET', 'PUT', 'POST', 'DELETE'}


def test_client_from_configuration(placement):
    placement.configure(CONF)
    client = pc.PlacementClient()
    assert client.ensure_compute_node('cn-conf')['name'] == 'cn-conf'
    assert placement.client.get_provider_by_name('cn-conf') is not None


def _fixed_answer(status):
    def app(environ, start_response):
        start_response(status, [('Content-Type', 'application/json')])
        return [b'{"errors": [{"status": 503, "detail": "db down"}]}']
    return app


def test_5xx_is_placement_server_error():
    url = 'http://placement-broken.test'
    intercept = interceptor.RequestsInterceptor(
        lambda: _fixed_answer('503 Service Unavailable'), url=url)
    with intercept:
        client = pc.PlacementClient(
            adapter=ksa.token_endpoint_adapter(url))
        with pytest.raises(exception.PlacementServerError) as err:
            client.get_provider_by_name('x')
    assert 'db down' in str(err.value)
    assert client.stats['GET'] == 1


def test_connection_failure_is_placement_server_error():
    client = pc.PlacementClient(
        adapter=ksa.token_endpoint_adapter('http://127.0.0.1:9'))
    with pytest.raises(exception.PlacementServerError):
        client.get_provider('00000000-0000-4000-8000-000000000000')


def test_unexpected_4xx_is_reported(placement):
    client = placement.client
    with pytest.raises(pc.PlacementRequestFailed) as err:
        client.list_children('not-a-uuid')
    assert err.value.kwargs['status'] == 400


@pytest.mark.parametrize('real_server', [False, True])
def test_concurrent_clients(real_server):
    """Reports from several threads (e.g. conductor workers) all land."""
    from concurrent import futures

    from cyborg.tests.fixtures import placement as placement_fixture

    with placement_fixture.PlacementFixture(real_server=real_server) as pl:
        cn = pl.create_compute_node('compute-01')

        def report(i):
            client = pc.PlacementClient(
                adapter=ksa.token_endpoint_adapter(pl.endpoint))
            name = 'compute-01_dev%d' % i
            rp_uuid = _report(client, cn['uuid'], name, 'CUSTOM_DEV', 2,
                              ['OWNER_CYBORG', 'CUSTOM_SHARED'])
            client.set_reserved(rp_uuid, 'CUSTOM_DEV', 1)
            return rp_uuid

        with futures.ThreadPoolExecutor(4) as pool:
            uuids = list(pool.map(report, range(8)))
        children = pl.client.list_children(cn['uuid'])
        assert sorted(c['uuid'] for c in children) == sorted(uuids)
        for rp_uuid in uuids:
            assert pl.client.get_inventories(rp_uuid)['CUSTOM_DEV'][
                'reserved'] == 1
