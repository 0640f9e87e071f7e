"""Intel QAT driver on a Sapphire Rapids host with QAT Gen4 (4xxx)."""
import json

import pytest

from cyborg.accelerator.drivers.qat import intel as intel_qat
from cyborg.tests.unit.accelerator import helpers

MANIFEST = 'intel-qat-4xxx.manifest'


def _pci(address):
    domain, bus, rest = address.split(':')
    device, function = rest.split('.')
    return json.dumps({'bus': bus, 'device': device, 'domain': domain,
                       'function': function}, sort_keys=True)


def _vfs(bus):
    """VF n of a 4xxx PF at <bus>:00.0 is n+1 functions after it."""
    return ['0000:%s:%02x.%d' % ((bus,) + divmod(n + 1, 8))
            for n in range(16)]


def _device(pf, product_id, functions):
    """One QAT device, shaped exactly as the C62x report (drivers.md §8)."""
    return {
        'type': 'QAT', 'vendor': '0x8086', 'model': 'miss_model_info',
        'std_board_info': json.dumps({'product_id': product_id}),
        'vendor_board_info': 'miss_vb_info', 'stub': False,
        'controlpath_id': {'cpid_type': 'PCI', 'cpid_info': _pci(pf)},
        'deployable_list': [
            {'name': 'compute-01_%s' % f, 'num_accelerators': 1,
             'driver_name': 'intel',
             'attribute_list': [{'key': 'rc', 'value': 'CUSTOM_QAT'}],
             'attach_handle_list': [{'attach_type': 'PCI',
                                     'attach_info': _pci(f),
                                     'in_use': False}]}
            for f in functions]}


def _discover(tmp_path, damage=None):
    host = helpers.make_host(tmp_path, manifest=MANIFEST)
    if damage:
        damage(tmp_path)
    return intel_qat.IntelQATDriver(host=host,
                                    conf=helpers.make_conf()).discover()


def test_qat_4xxx_host(tmp_path):
    got = _discover(tmp_path)
    expected = [
        _device('0000:6b:00.0', '0x4940', _vfs('6b')),
        # SR-IOV off: the PF itself is the one assignable function.
        _device('0000:70:00.0', '0x4940', ['0000:70:00.0']),
        _device('0000:e8:00.0', '0x4940', _vfs('e8')),
        # The 4941 VFs are never devices of their own; the DLB is ignored.
    ]
    assert helpers.canonical(got) == helpers.canonical(expected)
    assert _vfs('6b')[-1] == '0000:6b:02.0'


@pytest.mark.parametrize('pf_id', ['0x4942', '0x4944', '0x37c8'])
def test_other_gen4_and_c62x_pf_ids(tmp_path, pf_id):
    def damage(root):
        (root / 'sys/devices/pci0000:70/0000:70:00.0/device').write_text(
            pf_id + '\n')
    got = _discover(tmp_path, damage)
    [dev] = helpers.find_device(got, '"bus": "70"')
    assert dev['std_board_info'] == json.dumps({'product_id': pf_id})
    assert len(got) == 3


@pytest.mark.parametrize('other_id', ['0x4941', '0x4946', '0x0435'])
def test_vf_and_unknown_ids_are_not_pfs(tmp_path, other_id):
    def damage(root):
        (root / 'sys/devices/pci0000:70/0000:70:00.0/device').write_text(
            other_id + '\n')
    got = _discover(tmp_path, damage)
    assert not helpers.find_device(got, '"bus": "70"')
    assert len(got) == 2
