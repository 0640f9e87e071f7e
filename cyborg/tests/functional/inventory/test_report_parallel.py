"""New deployables are written to the REAL Placement by several threads
(``[conductor] placement_sync_workers``): the requests overlap, yet the
calls and the end state are those of the serial path (1 worker), and one
provider that fails does not stop the others.
"""
import copy
import threading
import time

import pytest

from cyborg.conductor.inventory import placement as rp_sync
from cyborg.conductor.inventory import report as inventory
from cyborg.conf import CONF
from cyborg.tests.functional.inventory import conftest
from cyborg.tests.functional.inventory import test_report_cost as cost

HOST = conftest.HOST


class Overlapping(cost.Recording):
    """Records like ``Recording``; also the most requests in flight at
    once (each write held 5 ms, as a remote Placement would take)."""

    def __init__(self, adapter):
        super().__init__(adapter)
        self._lock = threading.Lock()
        self._in_flight = self.most_in_flight = 0

    def request(self, url, method, **kwargs):
        with self._lock:
            self._in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self._in_flight)
        try:
            if method != 'GET':
                time.sleep(0.005)
            return super().request(url, method, **kwargs)
        finally:
            with self._lock:
                self._in_flight -= 1


@pytest.fixture
def workers():
    def use(count):
        CONF.set_override('placement_sync_workers', count, group='conductor')
    yield use
    CONF.clear_override('placement_sync_workers', group='conductor')


def _report(ctx, devices, adapter, **kwargs):
    client = cost.placement_client.PlacementClient(adapter=adapter, **kwargs)
    return inventory.report_data(ctx, HOST, copy.deepcopy(devices),
                                 client=client), client


@pytest.mark.parametrize('bulk', [True, False])
@pytest.mark.parametrize('count', [1, 8])
def test_parallel_sync_makes_the_serial_calls(ctx, database, placement, cn,
                                              workers, count, bulk):
    workers(count)
    devices = cost._devices(12)
    adapter = Overlapping(placement.adapter)
    summary, client = _report(ctx, devices, adapter, bulk_inventory=bulk)
    assert summary['added'] == 12 and summary['placement_failures'] == []
    inventories = ({('POST', '/reshaper'): 1} if bulk else
                   {('PUT', '/resource_providers/{u}/inventories'): 12})
    assert adapter.per_path() == {
        ('GET', '/resource_providers'): 1,
        ('POST', '/resource_providers'): 12,
        **inventories,
        ('GET', '/traits'): 1,
        ('PUT', '/traits/CUSTOM_NVIDIA_1EB8'): 1,
        ('PUT', '/traits/CUSTOM_T4'): 1,
        ('PUT', '/resource_providers/{u}/traits'): 12}
    assert client.stats == (
        {'GET': 2, 'POST': 13, 'PUT': 14, 'DELETE': 0} if bulk else
        {'GET': 2, 'POST': 12, 'PUT': 26, 'DELETE': 0})
    if count == 1:
        assert adapter.most_in_flight == 1
    else:
        assert 1 < adapter.most_in_flight <= count
    cost._check_providers(placement, cn, devices,
                          {'CUSTOM_NVIDIA_1EB8', 'CUSTOM_T4'})
    # Every deployable has its provider recorded; a repeat writes nothing.
    summary, client = _report(ctx, devices, placement.adapter)
    assert summary['added'] == summary['updated'] == 0
    assert client.writes == 0


def test_one_failing_provider_does_not_stop_the_others(ctx, database,
                                                        placement, cn,
                                                        workers):
    workers(4)
    devices = cost._devices(6)
    names = cost._names(devices)
    # Another provider already holds the name of the third deployable.
    placement.raw('POST', '/resource_providers', {'name': names[2]})
    summary, _ = _report(ctx, devices, placement.adapter)
    assert summary['placement_failures'] == [names[2]]
    for name in names[:2] + names[3:]:
        assert placement.client.get_traits(rp_sync.provider_uuid(name))
    # The next report tries the failed one again, and only it.
    adapter = cost.Recording(placement.adapter)
    summary, _ = _report(ctx, devices, adapter)
    assert summary['placement_failures'] == [names[2]]
    assert ('POST', '/resource_providers') in adapter.per_path()
    assert ('PUT', '/resource_providers/{u}/traits') not in \
        adapter.per_path()
