import json

import pytest

from cyborg.accelerator.drivers import base
from cyborg.accelerator.drivers import exceptions
from cyborg.accelerator.drivers import pci
from cyborg.tests.unit.accelerator import helpers


def _sample_device():
    return base.DriverDevice(
        type='GPU', vendor='10de', model='m', std_board_info='{}',
        vendor_board_info=None,
        controlpath_id=base.DriverControlPathID('PCI', pci.pci_json(
            '0000:af:00.0')),
        deployable_list=[base.DriverDeployable(
            name='h_0000:af:00.0', num_accelerators=2, driver_name='NVIDIA',
            attribute_list=base.attributes('VGPU', ['OWNER_CYBORG']),
            attach_handle_list=[base.DriverAttachHandle(
                'MDEV', pci.vgpu_json('0000:af:00.0', 'nvidia-223',
                                      'nvidia-223_0'))])],
        stub=True)


def test_round_trip_through_json():
    dev = _sample_device()
    wire = json.loads(json.dumps(dev.to_dict()))
    assert base.DriverDevice.from_dict(wire) == dev


def test_to_dict_shape_matches_fixture_keys():
    expected = helpers.load_expected('nvidia-pgpu.json')[0]
    got = _sample_device().to_dict()
    assert set(got) == set(expected)
    assert set(got['deployable_list'][0]) == set(
        expected['deployable_list'][0])
    assert set(got['deployable_list'][0]['attach_handle_list'][0]) == set(
        expected['deployable_list'][0]['attach_handle_list'][0])


def test_from_dict_accepts_null_attribute_list():
    # expected/huawei-ascend.json carries "attribute_list": null.
    raw = helpers.load_expected('huawei-ascend.json')[0]
    dev = base.DriverDevice.from_dict(raw)
    assert dev.deployable_list[0].attribute_list == []
    assert dev.deployable_list[0].attach_handle_list[0].in_use is False


def test_attributes_order():
    attrs = base.attributes('FPGA', ['A', 'B'])
    assert [(a.key, a.value) for a in attrs] == [
        ('rc', 'FPGA'), ('trait0', 'A'), ('trait1', 'B')]
    attrs = base.attributes('FPGA', ['A'], rc_first=False)
    assert [a.key for a in attrs] == ['trait0', 'rc']


def test_abstract_methods_enforced():
    with pytest.raises(TypeError):
        base.AcceleratorDriver()

    class NoProgram(base.Programmable):
        pass

    with pytest.raises(TypeError):
        NoProgram()


# --- PCI JSON helper (drivers.md §2.1, byte-exact) -----------------------

def test_pci_json_byte_exact():
    assert pci.pci_json('0000:5e:00.1') == (
        '{"bus": "5e", "device": "00", "domain": "0000", "function": "1"}')
    assert pci.pci_json('0000:18:02.0', physical_network='physnet1') == (
        '{"bus": "18", "device": "02", "domain": "0000", "function": "0", '
        '"physical_network": "physnet1"}')


def test_vgpu_json_byte_exact():
    assert pci.vgpu_json('0000:af:00.0', 'nvidia-223', 'nvidia-223_3') == (
        '{"asked_type": "nvidia-223", "bus": "af", "device": "00", '
        '"domain": "0000", "function": "0", "vgpu_mark": "nvidia-223_3"}')


def test_pci_json_keeps_case_as_printed():
    assert '"bus": "AF"' in pci.pci_json('0000:AF:00.0')


@pytest.mark.parametrize('bad', ['0000:af:00', '000:af:00.0', '0000:af:00.8',
                                 '0000:af:00.0 ', 'zz00:af:00.0', ''])
def test_pci_json_rejects_bad_address(bad):
    with pytest.raises(exceptions.InvalidPCIAddress):
        pci.pci_json(bad)


def test_address_from_info_round_trip():
    info = pci.pci_json('0000:3b:00.1')
    assert pci.address_from_info(info) == '0000:3b:00.1'
    assert pci.address_from_info(json.loads(info)) == '0000:3b:00.1'


def test_trait_normalises():
    assert pci.trait('NVIDIA', '1eb8') == 'CUSTOM_NVIDIA_1EB8'
    assert pci.trait('FPGA_REGION_INTEL', 'ab-cd.1') == (
        'CUSTOM_FPGA_REGION_INTEL_AB_CD_1')


# --- lspci parsing (drivers.md §2.2) --------------------------------------

def test_parse_lspci_line_fields():
    e = pci.parse_lspci_line(
        '0000:af:00.0 3D controller [0302]: NVIDIA Corporation TU104GL '
        '[Tesla T4] [10de:1eb8] (rev a1)')
    assert e.address == '0000:af:00.0'
    assert e.controller == '3D controller'
    assert e.class_id == '0302'
    assert e.model == 'NVIDIA Corporation TU104GL [Tesla T4]'
    assert (e.vendor_id, e.product_id) == ('10de', '1eb8')


def test_parse_lspci_line_unknown_device():
    e = pci.parse_lspci_line(
        '0000:01:00.1 Unassigned class [ff00]: Device [1d55:1001]')
    assert e.model == 'Device'
    assert e.product_id == '1001'


@pytest.mark.parametrize('line', [
    '0000:af:00.0 3D controller [0302]: NVIDIA Corporation TU104GL [10de:1e',
    '0000:af:00.0 3D controller [0302]: NVIDIA Corporation',
    '0000:af:00 3D controller [0302]: NVIDIA Corporation x [10de:1eb8]',
    '',
])
def test_parse_lspci_line_truncated_is_skipped_with_log(line, caplog):
    assert pci.parse_lspci_line(line) is None
    assert 'unparsable lspci line' in caplog.text


def test_run_lspci_failure_reports_nothing(tmp_path, caplog):
    host = helpers.make_host(tmp_path)  # no canned output: exit 127
    assert pci.lspci_entries(host) == []
    assert 'lspci -nnn -D exited with 127' in caplog.text
