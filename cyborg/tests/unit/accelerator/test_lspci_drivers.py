"""Xilinx, Inspur FPGA, Inspur NVMe SSD and Huawei Ascend drivers."""
import copy
import re

import pytest

from cyborg.accelerator.drivers import exceptions
from cyborg.accelerator.drivers import pci
from cyborg.accelerator.drivers.aichip import huawei
from cyborg.accelerator.drivers.fpga import inspur as inspur_fpga
from cyborg.accelerator.drivers.fpga import xilinx
from cyborg.accelerator.drivers.gpu import nvidia
from cyborg.accelerator.drivers.passthrough import generic
from cyborg.accelerator.drivers.ssd import inspur as inspur_ssd
from cyborg.tests.unit.accelerator import helpers


def _discover(tmp_path, cls, lspci, args=('-nnn', '-D')):
    host = helpers.make_host(tmp_path, lspci=lspci, lspci_args=args)
    return cls(host=host, conf=helpers.make_conf()).discover()


def test_xilinx_u250(tmp_path):
    got = _discover(tmp_path, xilinx.XilinxFPGADriver, 'xilinx-u250.nnn.txt')
    assert helpers.canonical(got) == helpers.canonical(
        helpers.load_expected('xilinx-u250.json'))


def test_xilinx_named_by_pci_ids_is_still_found(tmp_path):
    # Upstream needs the text "Xilinx Corporation Device" (quirk D4).
    line = ('0000:3b:00.0 Processing accelerators [1200]: Xilinx Corporation '
            'Alveo U250 [10ee:5004]\n')
    [dev] = _discover(tmp_path, xilinx.XilinxFPGADriver, line)
    assert dev.model == 'Xilinx Corporation Alveo U250'


def test_inspur_fpga(tmp_path):
    got = _discover(tmp_path, inspur_fpga.InspurFPGADriver,
                    'inspur-fpga.nnn.txt')
    assert helpers.canonical(got) == helpers.canonical(
        helpers.load_expected('inspur-fpga.json'))


def test_inspur_fpga_vendor_is_an_exact_id(tmp_path):
    line = ('0000:87:00.0 Processing accelerators [1200]: Other Device '
            '1bd4 [10ee:1bd4]\n')
    assert _discover(tmp_path, inspur_fpga.InspurFPGADriver, line) == []


def test_inspur_nvme_ssd(tmp_path):
    got = _discover(tmp_path, inspur_ssd.InspurNVMeSSDDriver,
                    'inspur-nvme-ssd.nn.txt', args=('-nn', '-D'))
    assert helpers.canonical(got) == helpers.canonical(
        helpers.load_expected('inspur-nvme-ssd.json'))


def test_generic_nvme_base_reports_every_vendor(tmp_path):
    got = _discover(tmp_path, inspur_ssd.NVMeSSDDriver,
                    'inspur-nvme-ssd.nn.txt', args=('-nn', '-D'))
    [samsung] = helpers.find_device(got, '"bus": "5e"')
    dep = samsung['deployable_list'][0]
    # 144d is not in the vendor map: no empty "CUSTOM_SSD_" trait (D12).
    assert dep['attribute_list'] == [
        {'key': 'rc', 'value': 'CUSTOM_SSD'},
        {'key': 'trait0', 'value': 'CUSTOM_SSD_PRODUCT_ID_A824'}]
    assert dep['driver_name'] == '144D'
    assert len(got) == 3


def test_huawei_ascend(tmp_path):
    """Named differences from expected/huawei-ascend.json (upstream
    master): every deployable carries rc = CUSTOM_AICHIP instead of no
    attributes (decisions D3.3), and the model is the lspci device text, as
    17.0.0 reports it, instead of ""."""
    got = _discover(tmp_path, huawei.AscendDriver, 'huawei-ascend.nnn.txt')
    expected = copy.deepcopy(helpers.load_expected('huawei-ascend.json'))
    for dev in expected:
        assert dev['model'] == ''  # upstream master
        dev['model'] = 'Huawei Technologies Co., Ltd. Device'
        for dep in dev['deployable_list']:
            assert dep['attribute_list'] is None  # upstream
            dep['attribute_list'] = [{'key': 'rc', 'value': 'CUSTOM_AICHIP'}]
    assert helpers.canonical(got) == helpers.canonical(expected)


def test_huawei_ascend_exact_ids_any_revision(tmp_path):
    text = (
        # d100 in the product id of another vendor: not an Ascend.
        '0000:00:0e.0 Processing accelerators [1200]: Other [1234:d100] '
        '(rev 20)\n'
        # d100 as vendor id: not an Ascend.
        '0000:00:0f.0 Processing accelerators [1200]: Other [d100:19e5] '
        '(rev 20)\n'
        # Revision 0 (lspci prints none): still an Ascend, as in 17.0.0.
        '0000:00:10.0 Processing accelerators [1200]: Huawei Technologies '
        'Co., Ltd. Ascend 310 [19e5:d100]\n'
        # Upper-case ids (another lspci build): lower-cased.
        '0000:00:0c.0 Processing accelerators [1200]: Huawei Technologies '
        'Co., Ltd. Device [19E5:D100] (rev 20)\n')
    got = _discover(tmp_path, huawei.AscendDriver, text)
    assert [(d.model, d.vendor, d.std_board_info,
             d.deployable_list[0].name) for d in got] == [
        ('Huawei Technologies Co., Ltd. Ascend 310', '19e5',
         '{"device_id": "d100", "class": "Processing accelerators"}',
         'Huawei Technologies Co., Ltd. Ascend 310_0000_00_10_0'),
        ('Huawei Technologies Co., Ltd. Device', '19e5',
         '{"device_id": "d100", "class": "Processing accelerators"}',
         'Huawei Technologies Co., Ltd. Device_0000_00_0c_0')]


def _upper_ids(text):
    """lspci text with every [xxxx] / [vvvv:pppp] id bracket upper-cased."""
    return re.sub(r'\[([0-9a-f]{4}(?::[0-9a-f]{4})?)\]',
                  lambda m: '[%s]' % m.group(1).upper(), text)


@pytest.mark.parametrize('cls, lspci, args', [
    (xilinx.XilinxFPGADriver, 'xilinx-u250.nnn.txt', ('-nnn', '-D')),
    (inspur_fpga.InspurFPGADriver, 'inspur-fpga.nnn.txt', ('-nnn', '-D')),
    (inspur_ssd.InspurNVMeSSDDriver, 'inspur-nvme-ssd.nn.txt', ('-nn', '-D')),
    (huawei.AscendDriver, 'huawei-ascend.nnn.txt', ('-nnn', '-D')),
    (nvidia.NVIDIAGPUDriver, 'nvidia-gpu.nnn.txt', ('-nnn', '-D')),
])
def test_upper_case_ids_report_as_lower_case(tmp_path, cls, lspci, args):
    text = helpers.read_fixture('lspci', lspci)
    odd = _upper_ids(text)
    assert odd != text and re.search(r'\[[0-9A-F]{4}:[0-9A-F]*[A-F]', odd)
    want = helpers.canonical(_discover(tmp_path / 'a', cls, text, args))
    got = helpers.canonical(_discover(tmp_path / 'b', cls, odd, args))
    assert want and got == want


def test_generic_pci_ids_are_lower_case(tmp_path):
    def run(root, text):
        host = helpers.make_host(root, lspci=text,
                                 manifest='generic-pci-sim.manifest')
        conf = helpers.make_conf('pci-whitelist.conf')
        return helpers.canonical(
            generic.PciDriver(host=host, conf=conf).discover())
    text = helpers.read_fixture('lspci', 'generic-pci-sim.nnn.txt')
    want = run(tmp_path / 'a', text)
    got = run(tmp_path / 'b', _upper_ids(text))
    assert want and got == want
    assert {d['vendor'] for d in got} == {'1d55'}


@pytest.mark.parametrize('cls, lspci, args', [
    (xilinx.XilinxFPGADriver, 'xilinx-u250.nnn.txt', ('-nnn', '-D')),
    (inspur_fpga.InspurFPGADriver, 'inspur-fpga.nnn.txt', ('-nnn', '-D')),
    (inspur_ssd.InspurNVMeSSDDriver, 'inspur-nvme-ssd.nn.txt', ('-nn', '-D')),
    (huawei.AscendDriver, 'huawei-ascend.nnn.txt', ('-nnn', '-D')),
])
def test_truncated_output_under_reports(tmp_path, caplog, cls, lspci, args):
    full = helpers.read_fixture('lspci', lspci)
    first = helpers.canonical(_discover(tmp_path, cls, full, args))[0]
    victim = pci.address_from_info(first['controlpath_id']['cpid_info'])
    lines = full.splitlines(keepends=True)
    lines = [ln[:ln.rindex(']') - 2] + '\n' if ln.startswith(victim) else ln
             for ln in lines]
    got = _discover(tmp_path / 'cut', cls, ''.join(lines), args)
    handles = [h.attach_info for d in got for dp in d.deployable_list
               for h in dp.attach_handle_list]
    assert handles and not [h for h in handles
                            if pci.address_from_info(h) == victim]
    assert "unparsable lspci line '%s" % victim in caplog.text


def test_lspci_missing_reports_nothing(tmp_path, caplog):
    host = helpers.make_host(tmp_path)  # lspci "not found"
    drv = xilinx.XilinxFPGADriver(host=host, conf=helpers.make_conf())
    assert drv.discover() == []
    assert 'no device reported' in caplog.text


# --- programming ----------------------------------------------------------

CPID = {'cpid_type': 'PCI',
        'cpid_info': {'domain': '0000', 'bus': '3b', 'device': '00',
                      'function': '0'}}
XBMGMT = ['/opt/xilinx/xrt/bin/xbmgmt', 'program', '--device',
          '0000:3b:00:0', '--base', '--image', '/tmp/img.xclbin']


@pytest.mark.parametrize('rc, result', [(0, True), (1, False)])
def test_xilinx_program_command(tmp_path, rc, result):
    host = helpers.make_host(tmp_path, outputs={
        tuple(XBMGMT): (rc, 'out', 'err')})
    drv = xilinx.XilinxFPGADriver(host=host, conf=helpers.make_conf())
    assert drv.program(CPID, '/tmp/img.xclbin') is result
    assert host._runner.calls == [XBMGMT]


def test_xilinx_program_accepts_json_cpid_info(tmp_path):
    host = helpers.make_host(tmp_path, outputs={tuple(XBMGMT): ''})
    drv = xilinx.XilinxFPGADriver(host=host, conf=helpers.make_conf())
    cpid = {'cpid_type': 'PCI', 'cpid_info': (
        '{"bus": "3b", "device": "00", "domain": "0000", "function": "0"}')}
    assert drv.program(cpid, '/tmp/img.xclbin') is True


def test_xilinx_program_rejects_non_pci(tmp_path):
    drv = xilinx.XilinxFPGADriver(host=helpers.make_host(tmp_path),
                                  conf=helpers.make_conf())
    with pytest.raises(exceptions.InvalidType):
        drv.program({'cpid_type': 'MDEV', 'cpid_info': {}}, '/x')
    bad = {'cpid_type': 'PCI', 'cpid_info': dict(CPID['cpid_info'],
                                                  bus='--all')}
    with pytest.raises(exceptions.InvalidPCIAddress):
        drv.program(bad, '/x')
    assert drv.host._runner.calls == []
