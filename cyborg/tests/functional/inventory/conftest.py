"""Fixtures of the inventory functional tests: a real database (SQLite at
head) and the REAL in-process Placement, with a compute-node provider."""
import json
import os

import pytest

from cyborg import context
from cyborg.conductor.inventory import report as inventory
from cyborg.tests.fixtures.database import database  # noqa: F401
from cyborg.tests.fixtures.placement import placement  # noqa: F401

HOST = 'compute-01'
# In-repo copies of shared/spec/fixtures.
_FIXTURES = os.path.join(os.path.dirname(__file__), '..', '..', 'fixtures')
FAKE_EXPECTED = os.path.join(_FIXTURES, 'drivers', 'expected', 'fake.json')
REPORT_DATA = os.path.join(_FIXTURES, 'spec', 'rpc', 'report_data.json')
_FAKE = {
    'type': 'FPGA', 'vendor': '0xABCD', 'model': 'miss model info',
    'std_board_info': '{"device_id": "0xabcd", "class": "Fake class"}',
    'vendor_board_info': 'fake_vendor_info', 'stub': False,
    'controlpath_id': {
        'cpid_type': 'PCI',
        'cpid_info': '{"domain":"0000","bus":"0c","device":"00",'
                     '"function":"0"}'},
    'deployable_list': [{
        'name': HOST + '_FakeDevice', 'num_accelerators': 16,
        'driver_name': 'fake',
        'attribute_list': [{'key': 'traits1', 'value': 'CUSTOM_FAKE_DEVICE'},
                           {'key': 'rc', 'value': 'FPGA'}],
        'attach_handle_list': [
            {'attach_type': 'TEST_PCI', 'in_use': False,
             'attach_info': json.dumps({'domain': '0000', 'bus': '0c',
                                        'device': str(n // 8),
                                        'function': str(n % 8)})}
            for n in range(1, 17)]}],
}


def fake_devices():
    """The fake driver's output for host compute-01 (drivers.md §3):
    fixtures/expected/fake.json."""
    with open(FAKE_EXPECTED) as f:
        devices = json.load(f)['devices']
    assert devices[0]['deployable_list'][0]['name'] == \
        _FAKE['deployable_list'][0]['name']
    return devices


def gpu_device(index, host=HOST, rc='PGPU', traits=('OWNER_CYBORG',),
               num=1):
    """A synthetic PCI device with one deployable."""
    bus = '%02x' % (index // 32)
    dev = '%02x' % (index % 32)
    info = json.dumps({'bus': bus, 'device': dev, 'domain': '0000',
                       'function': '0'}, sort_keys=True)
    addr = '0000:%s:%s.0' % (bus, dev)
    attrs = [{'key': 'rc', 'value': rc}] + [
        {'key': 'trait%d' % i, 'value': t} for i, t in enumerate(traits)]
    return {
        'type': 'GPU', 'vendor': '10de', 'model': 'Tesla T4',
        'std_board_info': '{"product_id": "1eb8"}',
        'vendor_board_info': None, 'stub': False,
        'controlpath_id': {'cpid_type': 'PCI', 'cpid_info': info},
        'deployable_list': [{
            'name': '%s_%s' % (host, addr), 'num_accelerators': num,
            'driver_name': 'NVIDIA', 'attribute_list': attrs,
            'attach_handle_list': [{'attach_type': 'PCI', 'in_use': False,
                                    'attach_info': info}]}]}


@pytest.fixture
def ctx():
    return context.get_admin_context()


@pytest.fixture
def cn(database, placement):  # noqa: F811
    """The compute node provider of HOST; the conductor uses a fresh
    client on this Placement."""
    provider = placement.create_compute_node(HOST)
    client = placement.new_client()
    inventory.set_placement(client)
    yield provider
    inventory.set_placement(None)
