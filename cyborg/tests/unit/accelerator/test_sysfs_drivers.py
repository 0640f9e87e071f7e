"""Intel FPGA, QAT and NIC drivers, driven by the sysfs fixtures."""
import os

import pytest

from cyborg.accelerator.drivers import exceptions
from cyborg.accelerator.drivers.fpga import intel as intel_fpga
from cyborg.accelerator.drivers.nic import intel as intel_nic
from cyborg.accelerator.drivers.qat import intel as intel_qat
from cyborg.tests.unit.accelerator import helpers

QAT_PF = 'sys/devices/pci0000:3a/0000:3a:00.0/0000:3d:00.0'
QAT_VF1 = 'sys/devices/pci0000:3a/0000:3a:00.0/0000:3d:01.1'
NIC_PF0 = 'sys/devices/pci0000:17/0000:17:00.0/0000:18:00.0'
FPGA_B = 'sys/devices/pci0000:be/0000:be:00.0'


def _run(tmp_path, cls, manifest, config=None, damage=None):
    host = helpers.make_host(tmp_path, manifest=manifest)
    if damage:
        damage(tmp_path)
    return cls(host=host, conf=helpers.make_conf(config)).discover()


# --- Intel FPGA ---------------------------------------------------------

def test_intel_fpga(tmp_path):
    """Matches expected/intel-fpga.json exactly, including upstream's
    duplicated trait2 key on card A (quirk D5, kept)."""
    got = _run(tmp_path, intel_fpga.IntelFPGADriver,
               'intel-fpga-pac-arria10.manifest', 'fpga-intel.conf')
    assert helpers.canonical(got) == helpers.canonical(
        helpers.load_expected('intel-fpga.json'))


def test_intel_fpga_uses_os_host_name(tmp_path):
    host = helpers.make_host(tmp_path,
                             manifest='intel-fpga-pac-arria10.manifest')
    host._hostname = 'os-name'
    got = intel_fpga.IntelFPGADriver(
        host=host, conf=helpers.make_conf()).discover()
    assert sorted(d.deployable_list[0].name for d in got) == [
        'os-name_0000:5e:00.1', 'os-name_0000:be:00.0']


def test_intel_fpga_without_fpga_dir_is_stub(tmp_path):
    def damage(root):
        import shutil
        shutil.rmtree(root / FPGA_B / 'fpga')
        os.remove(root / 'sys/class/fpga/intel-fpga-dev.2')
    got = _run(tmp_path, intel_fpga.IntelFPGADriver,
               'intel-fpga-pac-arria10.manifest', damage=damage)
    [card_b] = helpers.find_device(got, '"bus": "be"')
    assert card_b['stub'] is True
    assert card_b['deployable_list'][0]['attribute_list'] == [
        {'key': 'rc', 'value': 'FPGA'}]


def test_intel_fpga_unknown_product_skipped(tmp_path, caplog):
    def damage(root):
        (root / FPGA_B / 'device').write_text('0x0b30\n')
    got = _run(tmp_path, intel_fpga.IntelFPGADriver,
               'intel-fpga-pac-arria10.manifest', damage=damage)
    assert len(got) == 1
    assert 'Skipping FPGA 0000:be:00.0: unknown vendor/product' in caplog.text


def test_intel_fpga_region_id_normalised(tmp_path):
    def damage(root):
        (root / FPGA_B / 'fpga/intel-fpga-dev.2/intel-fpga-fme.2/pr/'
         'interface_id').write_text('ab-cd\n')
    got = _run(tmp_path, intel_fpga.IntelFPGADriver,
               'intel-fpga-pac-arria10.manifest', damage=damage)
    [card_b] = helpers.find_device(got, '"bus": "be"')
    values = [a['value'] for a in
              card_b['deployable_list'][0]['attribute_list']]
    assert 'CUSTOM_FPGA_REGION_INTEL_AB_CD' in values


CPID = {'cpid_type': 'PCI',
        'cpid_info': {'domain': '0000', 'bus': '5e', 'device': '00',
                      'function': '0'}}
FPGACONF = ['/usr/bin/fpgaconf', '--bus', '0x5e', '--device', '0x00',
            '--function', '0x0', '/tmp/b.gbs']


@pytest.mark.parametrize('rc, result', [(0, True), (3, False)])
def test_intel_fpga_program_command(tmp_path, rc, result):
    host = helpers.make_host(tmp_path, outputs={tuple(FPGACONF): (rc, '', '')})
    drv = intel_fpga.IntelFPGADriver(host=host, conf=helpers.make_conf())
    assert drv.program(CPID, '/tmp/b.gbs') is result
    assert host._runner.calls == [FPGACONF]


def test_intel_fpga_program_invalid_type(tmp_path):
    drv = intel_fpga.IntelFPGADriver(host=helpers.make_host(tmp_path),
                                     conf=helpers.make_conf())
    with pytest.raises(exceptions.InvalidType):
        drv.program({'cpid_type': 'USB', 'cpid_info': {}}, '/tmp/b.gbs')


# --- QAT ----------------------------------------------------------------

def test_intel_qat(tmp_path):
    got = _run(tmp_path, intel_qat.IntelQATDriver, 'intel-qat-c62x.manifest')
    assert helpers.canonical(got) == helpers.canonical(
        helpers.load_expected('intel-qat.json'))


@pytest.mark.parametrize('damage, reason', [
    (lambda r: os.remove(r / QAT_VF1 / 'uevent'), 'no PCI_SLOT_NAME'),
    (lambda r: (r / QAT_VF1 / 'uevent').write_text('A=b=c\nX\n'),
     'no PCI_SLOT_NAME'),
    (lambda r: os.remove(r / QAT_VF1 / 'vendor'), 'unreadable'),
    (lambda r: (r / QAT_VF1 / 'device').write_bytes(b'\xff\xfe'),
     'unreadable'),
])
def test_intel_qat_broken_vf_is_skipped(tmp_path, caplog, damage, reason):
    got = _run(tmp_path, intel_qat.IntelQATDriver, 'intel-qat-c62x.manifest',
               damage=damage)
    [pf] = helpers.find_device(got, '"bus": "3d"')
    assert [d['name'] for d in pf['deployable_list']] == [
        'compute-01_0000:3d:01.0', 'compute-01_0000:3d:01.2']
    assert 'Skipping VF 0000:3d:01.1' in caplog.text and reason in caplog.text


def test_intel_qat_broken_pf_is_skipped(tmp_path, caplog):
    got = _run(tmp_path, intel_qat.IntelQATDriver, 'intel-qat-c62x.manifest',
               damage=lambda r: os.remove(r / QAT_PF / 'uevent'))
    assert len(got) == 1 and not helpers.find_device(got, '"bus": "3d"')
    assert 'Skipping QAT 0000:3d:00.0' in caplog.text


# --- NIC ----------------------------------------------------------------

def test_intel_nic(tmp_path):
    got = _run(tmp_path, intel_nic.IntelNICDriver, 'intel-nic-x710.manifest',
               'nic-x710.conf')
    assert helpers.canonical(got) == helpers.canonical(
        helpers.load_expected('intel-nic.json'))


def test_intel_nic_without_mappings(tmp_path):
    got = _run(tmp_path, intel_nic.IntelNICDriver, 'intel-nic-x710.manifest')
    [pf1] = helpers.find_device(got, '"function": "1"')
    dep = pf1['deployable_list'][0]
    assert dep['attribute_list'] == [
        {'key': 'rc', 'value': 'CUSTOM_NIC'},
        {'key': 'trait0', 'value': 'CUSTOM_PF'}]
    assert 'physical_network' not in dep['attach_handle_list'][0][
        'attach_info']


def test_intel_nic_pf_without_netdev_is_skipped(tmp_path, caplog):
    import shutil
    got = _run(tmp_path, intel_nic.IntelNICDriver, 'intel-nic-x710.manifest',
               'nic-x710.conf',
               damage=lambda r: shutil.rmtree(r / NIC_PF0 / 'net'))
    assert len(got) == 1
    assert 'Skipping NIC 0000:18:00.0: no network interface' in caplog.text


@pytest.mark.parametrize('mapping', [
    'physnet1', ':ens785f0', 'physnet1:ens785f0,physnet1:ens785f1'])
def test_intel_nic_bad_mapping(tmp_path, mapping):
    conf = helpers.make_conf(text=(
        '[nic_devices]\nenabled_nic_types = x710_static\n'
        '[x710_static]\nphysical_device_mappings = %s\n' % mapping),
        tmp_path=tmp_path)
    host = helpers.make_host(tmp_path, manifest='intel-nic-x710.manifest')
    with pytest.raises(ValueError):
        intel_nic.IntelNICDriver(host=host, conf=conf).discover()


def test_intel_nic_reads_every_enabled_group(tmp_path):
    conf = helpers.make_conf(text=(
        '[nic_devices]\nenabled_nic_types = a_group, b_group\n'
        '[a_group]\nfunction_device_mappings = FN:ens785f1\n'
        '[b_group]\nphysical_device_mappings = net-b:ens785f1\n'),
        tmp_path=tmp_path)
    host = helpers.make_host(tmp_path, manifest='intel-nic-x710.manifest')
    got = intel_nic.IntelNICDriver(host=host, conf=conf).discover()
    [pf1] = helpers.find_device(got, '"function": "1"')
    dep = pf1['deployable_list'][0]
    assert [a['value'] for a in dep['attribute_list']] == [
        'CUSTOM_NIC', 'CUSTOM_PF', 'CUSTOM_FN', 'CUSTOM_NET_B']
    assert '"physical_network": "net-b"' in dep['attach_handle_list'][0][
        'attach_info']
