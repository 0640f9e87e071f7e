"""``cyborg-discover`` on the real-host fixtures: what each would report."""
import json
import subprocess
import sys

from oslo_config import cfg
import pytest

from cyborg.cmd import discover
from cyborg.conf import agent as agent_conf
from cyborg.conf import default as default_conf
from cyborg.conf import drivers as drivers_conf
from cyborg.tests.unit.accelerator import helpers


def _run(tmp_path, capsys, manifest, lspci=None, config=None, extra='',
         argv=()):
    host = helpers.make_host(tmp_path / 'root', manifest=manifest,
                             lspci=lspci)
    files = []
    if config:
        files += ['--config-file', helpers.fixture_path('config', config)]
    path = tmp_path / 'extra.conf'
    path.write_text('[DEFAULT]\nhost = compute-01\n' + extra)
    files += ['--config-file', str(path)]
    conf = cfg.ConfigOpts()
    default_conf.register_opts(conf)
    agent_conf.register_opts(conf)
    drivers_conf.register_opts(conf)
    rc = discover.main(files + list(argv), conf=conf, host=host)
    out, err = capsys.readouterr()
    return rc, out, err


def _rows(out):
    lines = out.splitlines()
    assert lines[0].split()[:3] == ['DRIVER', 'TYPE', 'VENDOR']
    return {ln.split()[4]: ln.split() for ln in lines[1:]}


@pytest.mark.parametrize('filter_vfs', ['True', 'False'])
def test_a100_with_vgpus_on_vfs(tmp_path, capsys, filter_vfs):
    rc, out, err = _run(
        tmp_path, capsys, 'nvidia-a100-vgpu-vfs.manifest',
        lspci='nvidia-a100-vgpu-vfs.nnn.txt', config='vgpu-a100-vfs.conf',
        extra='[gpu_devices]\nfilter_sriov_vfs = %s\n' % filter_vfs)
    assert rc == 0 and err == ''
    rows = _rows(out)
    assert sorted(rows) == ['compute-01_0000:3b:00.%d' % f
                            for f in (4, 5, 6, 7)] + [
        'compute-01_0000:af:00.0']
    vf = rows['compute-01_0000:3b:00.5']
    # driver, type, vendor, control path (the VF), name, rc, count,
    # handles, traits
    assert vf == ['nvidia_gpu_driver', 'GPU', '10de', '0000:3b:00.5',
                  'compute-01_0000:3b:00.5', 'VGPU', '1', '1',
                  'OWNER_CYBORG,CUSTOM_NVIDIA_20F1_A100_4C']
    assert rows['compute-01_0000:af:00.0'][5:] == [
        'PGPU', '1', '1', 'OWNER_CYBORG,CUSTOM_NVIDIA_20F1']


def test_xxv710_with_device_addresses(tmp_path, capsys):
    rc, out, err = _run(tmp_path, capsys, 'intel-nic-xxv710.manifest',
                        config='nic-xxv710-addresses.conf')
    assert rc == 0 and err == ''
    rows = _rows(out)
    assert sorted(rows) == sorted(
        ['compute-01_0000:3b:02.%d' % i for i in range(4)]
        + ['compute-01_0000:3b:0a.1', 'compute-01_0000:3b:0a.2',
           'compute-01_0000:af:00.0'])
    # A named VF is shown under its PF's control path.
    assert rows['compute-01_0000:3b:0a.2'] == [
        'intel_nic_driver', 'NIC', '0x8086', '0000:3b:00.1',
        'compute-01_0000:3b:0a.2', 'CUSTOM_NIC', '1', '1',
        'CUSTOM_VF,CUSTOM_PHYSNET_FABRIC']
    assert rows['compute-01_0000:af:00.0'][3] == '0000:af:00.0'
    assert rows['compute-01_0000:af:00.0'][-1] == (
        'CUSTOM_PF,CUSTOM_PHYSNET_EDGE')


def test_xxv710_json_carries_the_physical_network(tmp_path, capsys):
    rc, out, _ = _run(tmp_path, capsys, 'intel-nic-xxv710.manifest',
                      config='nic-xxv710-addresses.conf', argv=['--json'])
    assert rc == 0
    [dev] = [d for d in json.loads(out)['intel_nic_driver']
             if '"bus": "af"' in d['controlpath_id']['cpid_info']]
    handle = dev['deployable_list'][0]['attach_handle_list'][0]
    assert json.loads(handle['attach_info'])['physical_network'] == (
        'physnet-edge')


def test_malformed_device_addresses_is_a_start_up_error(tmp_path, capsys):
    rc, out, err = _run(
        tmp_path, capsys, 'intel-nic-xxv710.manifest', extra=(
            '[agent]\nenabled_drivers = intel_nic_driver, fake_driver\n'
            '[nic_devices]\nenabled_nic_types = sfp\n'
            '[sfp]\ndevice_addresses = 0000:af:00\n'))
    assert rc == 1
    assert err == ("intel_nic_driver: cannot start: Invalid NIC "
                   "configuration in [sfp] device_addresses: '0000:af:00' "
                   "is not a PCI address of the form DDDD:BB:SS.F (for "
                   "example 0000:3b:00.0)\n")
    assert list(_rows(out)) == ['compute-01_FakeDevice']


def test_qat_4xxx(tmp_path, capsys):
    rc, out, err = _run(tmp_path, capsys, 'intel-qat-4xxx.manifest',
                        extra='[agent]\nenabled_drivers = intel_qat_driver\n')
    assert rc == 0 and err == ''
    rows = _rows(out)
    assert len(rows) == 16 + 1 + 16
    assert rows['compute-01_0000:6b:02.0'] == [
        'intel_qat_driver', 'QAT', '0x8086', '0000:6b:00.0',
        'compute-01_0000:6b:02.0', 'CUSTOM_QAT', '1', '1', '-']
    assert rows['compute-01_0000:70:00.0'][3] == '0000:70:00.0'


# --- the real command, replaying a captured host ---------------------------

REPLAYS = {
    'a100': ('nvidia-a100-vgpu-vfs.manifest', 'nvidia-a100-vgpu-vfs.nnn.txt',
             'vgpu-a100-vfs.conf', 'nvidia_gpu_driver'),
    'xxv710': ('intel-nic-xxv710.manifest', None,
               'nic-xxv710-addresses.conf', 'intel_nic_driver'),
    'qat4xxx': ('intel-qat-4xxx.manifest', None, None, 'intel_qat_driver'),
}


@pytest.mark.parametrize('name', sorted(REPLAYS))
def test_cyborg_discover_replays_a_captured_host(tmp_path, capsys, name):
    """``cyborg-discover --root --lspci-output`` run as a process prints
    exactly what the driver reports for that host."""
    manifest, lspci, config, driver = REPLAYS[name]
    root = tmp_path / 'captured'
    helpers.load_manifest(helpers.fixture_path('sysfs', manifest), str(root))
    extra = tmp_path / 'host.conf'
    extra.write_text('[DEFAULT]\nhost = compute-01\n[agent]\n'
                     'enabled_drivers = %s\n' % driver)
    argv = [sys.executable, '-m', 'cyborg.cmd.discover', '--json',
            '--root', str(root), '--os-hostname', 'compute-01']
    if config:
        argv += ['--config-file', helpers.fixture_path('config', config)]
    argv += ['--config-file', str(extra)]
    if lspci:
        argv += ['--lspci-output', helpers.fixture_path('lspci', lspci)]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=60,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    printed = json.loads(proc.stdout)[driver]
    rc, out, _ = _run(tmp_path, capsys, manifest, lspci=lspci,
                      config=config, argv=['--json'],
                      extra='[agent]\nenabled_drivers = %s\n' % driver)
    assert rc == 0
    assert printed and printed == json.loads(out)[driver]
