"""Parsing of the report payload (both shapes)."""
import copy

import pytest

from cyborg.conductor.inventory import report as inventory
from cyborg.tests.functional.inventory import conftest


def _per_driver(*drivers, agent=None):
    return {'format': inventory.REPORT_FORMAT, 'agent': agent,
            'drivers': list(drivers)}


def test_plain_list_is_a_complete_snapshot():
    report = inventory.parse_report('h', conftest.fake_devices())
    assert report.complete and len(report.devices) == 1
    assert report.keep == set() and report.agent is None


def test_stub_devices_are_kept_not_diffed():
    devices = conftest.fake_devices()
    devices[0]['stub'] = True
    report = inventory.parse_report('h', devices)
    assert report.devices == []
    assert report.keep == {devices[0]['controlpath_id']['cpid_info']}


def test_failed_driver_with_last_devices_is_kept():
    devices = conftest.fake_devices()
    report = inventory.parse_report('h', _per_driver(
        {'name': 'a', 'status': 'failed', 'error': 'x',
         'devices': copy.deepcopy(devices)},
        {'name': 'b', 'status': 'ok', 'devices': [conftest.gpu_device(1)]},
        agent={'host': 'agent', 'compute_node_name': 'h',
               'compute_node_rp_uuid': 'u'}))
    assert report.complete and report.failed_drivers == ['a']
    assert report.keep == {devices[0]['controlpath_id']['cpid_info']}
    assert [d['type'] for d in report.devices] == ['GPU']
    assert report.agent == {'host': 'agent', 'compute_node_name': 'h',
                            'rp_uuid': 'u'}


def test_failed_driver_never_succeeded_makes_report_incomplete():
    report = inventory.parse_report('h', _per_driver(
        {'name': 'a', 'status': 'failed', 'devices': None}))
    assert not report.complete


@pytest.mark.parametrize('payload', [
    {'format': 'something-else'},
    'a string',
    [{'type': 'GPU'}],
    [dict(conftest.gpu_device(1), deployable_list=[{'name': 'x'}])],
])
def test_invalid_payloads(payload):
    with pytest.raises(inventory.InvalidReport):
        inventory.parse_report('h', payload)
