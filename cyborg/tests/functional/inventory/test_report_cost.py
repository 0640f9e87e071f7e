"""What an agent report costs in Placement calls, against the REAL
Placement (issue 14 item 5): a new deployable is created, given its
inventory and its traits in three calls (about two when several are set
together by the reshaper: test_report_bulk), the generation Placement
answers carried from one write to the next; custom traits are checked once per
report; an identical report writes nothing. Correctness is kept: a
generation conflict is retried with a fresh read, a provider that already
exists is adopted, and a trait cache is not trusted after a refusal.
"""
import copy
import re

from cyborg.clients import placement as placement_client
from cyborg.conductor.inventory import placement as rp_sync
from cyborg.conductor.inventory import report as inventory
from cyborg.tests.fixtures import placement as placement_fixture
from cyborg.tests.functional.inventory import conftest

HOST = conftest.HOST
_UUID = re.compile(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-'
                   r'[0-9a-f]{12}')


class Recording:
    """An adapter passing every request to Placement and recording
    ``(method, path with uuids as {u}, status)``."""

    def __init__(self, adapter):
        self._adapter = adapter
        self.calls = []

    def request(self, url, method, **kwargs):
        resp = self._adapter.request(url, method, **kwargs)
        self.calls.append((method, _UUID.sub('{u}', url.split('?')[0]),
                           resp.status_code))
        return resp

    def per_path(self):
        counts = {}
        for method, path, _status in self.calls:
            counts[method, path] = counts.get((method, path), 0) + 1
        return counts


def _client(adapter, **kwargs):
    recording = Recording(adapter)
    return placement_client.PlacementClient(adapter=recording,
                                            **kwargs), recording


def _devices(count, traits=('CUSTOM_NVIDIA_1EB8', 'CUSTOM_T4')):
    return [conftest.gpu_device(i, traits=traits) for i in range(count)]


def _report(ctx, devices, client):
    summary = inventory.report_data(ctx, HOST, copy.deepcopy(devices),
                                    client=client)
    assert summary['placement_failures'] == [], summary
    return summary


def _names(devices):
    return [d['deployable_list'][0]['name'] for d in devices]


def _check_providers(placement, cn, devices, traits):
    for name in _names(devices):
        rp_uuid = rp_sync.provider_uuid(name)
        provider = placement.raw('GET', '/resource_providers/%s'
                                 % rp_uuid).json()
        assert (provider['name'], provider['parent_provider_uuid']) == (
            name, cn['uuid'])
        assert placement.client.get_inventories(rp_uuid) == {'PGPU': {
            'total': 1, 'max_unit': 1, 'reserved': 0, 'min_unit': 1,
            'step_size': 1, 'allocation_ratio': 1.0}}
        assert placement.client.get_traits(rp_uuid) == set(traits) | {
            'OWNER_CYBORG'}


def test_new_deployables_cost_three_calls_each_one_by_one(ctx, database,
                                                           placement, cn):
    """Without the reshaper (``bulk_inventory=False``, or refused): each
    provider's inventory is its own PUT. See test_report_bulk for the
    bulk path."""
    devices = _devices(5)
    client, recording = _client(placement.adapter, bulk_inventory=False)
    summary = _report(ctx, devices, client)
    assert summary['added'] == 5
    assert recording.per_path() == {
        ('GET', '/resource_providers'): 1,            # the compute node
        ('POST', '/resource_providers'): 5,
        ('PUT', '/resource_providers/{u}/inventories'): 5,
        ('GET', '/traits'): 1,                        # which customs exist
        ('PUT', '/traits/CUSTOM_NVIDIA_1EB8'): 1,
        ('PUT', '/traits/CUSTOM_T4'): 1,
        ('PUT', '/resource_providers/{u}/traits'): 5}
    assert all(status in (200, 201) for _m, _p, status in recording.calls)
    _check_providers(placement, cn, devices,
                     {'CUSTOM_NVIDIA_1EB8', 'CUSTOM_T4'})
    # A later report on a new client adds one device: the existing
    # custom traits are looked up once, not created.
    more = _devices(6)
    client, recording = _client(placement.adapter)
    _report(ctx, more, client)
    assert recording.per_path() == {
        ('GET', '/resource_providers'): 1,
        ('POST', '/resource_providers'): 1,
        ('PUT', '/resource_providers/{u}/inventories'): 1,
        ('GET', '/traits'): 1,
        ('PUT', '/resource_providers/{u}/traits'): 1}


def test_identical_report_reads_the_compute_node_only(ctx, database,
                                                      placement, cn):
    devices = _devices(4)
    _report(ctx, devices, placement.new_client())
    client, recording = _client(placement.adapter)
    summary = _report(ctx, devices, client)
    assert summary['added'] == summary['updated'] == 0
    assert recording.calls == [('GET', '/resource_providers', 200)]
    assert client.writes == 0


def test_generation_conflict_after_create_is_retried(ctx, database,
                                                     placement, cn):
    """A foreign write lands between the create and the inventory write:
    the generation answered by the create is stale, Placement says 409,
    the client reads afresh and writes again."""
    [device] = _devices(1)
    rp_uuid = rp_sync.provider_uuid(_names([device])[0])
    racing = placement_fixture.InterleavingAdapter(
        placement.adapter, 'PUT', '/inventories',
        lambda: placement.bump_generation(rp_uuid))
    client, recording = _client(racing)
    _report(ctx, [device], client)
    inventory_calls = [c for c in recording.calls
                       if c[1].endswith('/inventories')]
    assert inventory_calls == [
        ('PUT', '/resource_providers/{u}/inventories', 409),
        ('GET', '/resource_providers/{u}/inventories', 200),
        ('PUT', '/resource_providers/{u}/inventories', 200)]
    _check_providers(placement, cn, [device],
                     {'CUSTOM_NVIDIA_1EB8', 'CUSTOM_T4'})


def test_trait_conflict_keeps_a_function_trait_written_meanwhile(
        ctx, database, placement, cn):
    """FPGA programming adds a function trait while the report writes the
    provider's traits: the retry keeps it."""
    [device] = _devices(1)
    rp_uuid = rp_sync.provider_uuid(_names([device])[0])

    def program():
        placement.new_client().ensure_traits(
            rp_uuid, {'CUSTOM_FPGA_FUNCTION_ID_ABC'})
    racing = placement_fixture.InterleavingAdapter(
        placement.adapter, 'PUT', rp_uuid + '/traits',
        program)
    client, _recording = _client(racing)
    _report(ctx, [device], client)
    assert placement.client.get_traits(rp_uuid) == {
        'CUSTOM_NVIDIA_1EB8', 'CUSTOM_T4', 'OWNER_CYBORG',
        'CUSTOM_FPGA_FUNCTION_ID_ABC'}


def test_existing_provider_is_adopted(ctx, database, placement, cn):
    """A provider left in Placement (its deployable never recorded it):
    the create answers 409, the provider is read and brought in line."""
    [device] = _devices(1)
    name = _names([device])[0]
    rp_uuid = rp_sync.provider_uuid(name)
    placement.client.ensure_provider(rp_uuid, name, cn['uuid'])
    placement.client.set_inventory(rp_uuid, 'PGPU', 7)
    placement.client.set_provider_traits(rp_uuid, {'CUSTOM_OLD'})
    client, recording = _client(placement.adapter)
    _report(ctx, [device], client)
    assert recording.calls[1:3] == [
        ('POST', '/resource_providers', 409),
        ('GET', '/resource_providers/{u}', 200)]
    _check_providers(placement, cn, [device],
                     {'CUSTOM_NVIDIA_1EB8', 'CUSTOM_T4'})


def test_trait_cache_is_not_trusted_after_a_refusal(ctx, database,
                                                    placement, cn):
    """A custom trait known to exist is deleted behind the client's back;
    the provider trait write is refused (400), the cache is dropped, the
    trait re-created and the write done."""
    first, second = _devices(2, traits=('CUSTOM_FLEETING',))
    client, recording = _client(placement.adapter)
    _report(ctx, [first], client)
    first_rp = rp_sync.provider_uuid(_names([first])[0])
    placement.client.set_provider_traits(first_rp, {'OWNER_CYBORG'})
    resp = placement.raw('DELETE', '/traits/CUSTOM_FLEETING')
    assert resp.status_code == 204, resp.text
    recording.calls.clear()
    _report(ctx, [first, second], client)
    trait_writes = [c for c in recording.calls
                    if c[0] == 'PUT' and 'traits' in c[1]]
    assert trait_writes == [
        ('PUT', '/resource_providers/{u}/traits', 400),
        ('PUT', '/traits/CUSTOM_FLEETING', 201),
        ('PUT', '/resource_providers/{u}/traits', 200)]
    _check_providers(placement, cn, [second], {'CUSTOM_FLEETING'})
