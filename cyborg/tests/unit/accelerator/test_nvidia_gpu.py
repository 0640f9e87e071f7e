import shutil

import pytest

from cyborg.accelerator.drivers import exceptions
from cyborg.accelerator.drivers.gpu import nvidia
from cyborg.accelerator.drivers.gpu import vgpu
from cyborg.tests.unit.accelerator import helpers

T4_TYPES = ('sys/devices/pci0000:ae/0000:ae:00.0/0000:af:00.0/'
            'mdev_supported_types')


def _discover(tmp_path, lspci, manifest=None, config=None):
    host = helpers.make_host(tmp_path, manifest=manifest, lspci=lspci)
    conf = helpers.make_conf(config)
    return nvidia.NVIDIAGPUDriver(host=host, conf=conf).discover()


def test_whole_gpus(tmp_path):
    got = _discover(tmp_path, 'nvidia-gpu.nnn.txt')
    assert helpers.canonical(got) == helpers.canonical(
        helpers.load_expected('nvidia-pgpu.json'))


def test_vgpu_t4(tmp_path):
    got = _discover(tmp_path, 'nvidia-gpu.nnn.txt',
                    manifest='nvidia-t4-mdev.manifest', config='vgpu-t4.conf')
    assert helpers.canonical(got) == helpers.canonical(
        helpers.load_expected('nvidia-vgpu-t4.json'))
    [t4] = helpers.find_device(got, '"bus": "af"')
    # capacity = available_instances (6) + existing mdevs (2)
    assert t4['deployable_list'][0]['num_accelerators'] == 8


def test_a100_vfs_filtered(tmp_path):
    got = _discover(tmp_path, 'nvidia-a100-sriov.nnn.txt',
                    manifest='nvidia-a100-sriov.manifest',
                    config='gpu-filter-vfs.conf')
    assert helpers.canonical(got) == helpers.canonical(
        helpers.load_expected('nvidia-a100-vfs-filtered.json'))


def test_a100_vfs_unfiltered_offers_the_pf_whole(tmp_path):
    """Deliberate difference from expected/nvidia-a100-vfs-unfiltered.json
    (decisions D5.1): upstream offers the PF 0000:3b:00.0 *and* its four
    bare VFs, selling the same GPU twice and handing out VFs a guest
    cannot use without a vGPU profile. With no vGPU type anywhere, the PF
    is offered whole and the VFs not at all: the filtered report."""
    got = _discover(tmp_path, 'nvidia-a100-sriov.nnn.txt',
                    manifest='nvidia-a100-sriov.manifest')
    upstream = helpers.load_expected('nvidia-a100-vfs-unfiltered.json')
    assert len(upstream) == 5
    assert helpers.canonical(got) == helpers.canonical(
        helpers.load_expected('nvidia-a100-vfs-filtered.json'))


def test_pgpu_with_mdevs_but_no_vgpu_config_is_not_offered(tmp_path, caplog):
    got = _discover(tmp_path, 'nvidia-gpu.nnn.txt',
                    manifest='nvidia-t4-mdev.manifest')
    assert not helpers.find_device(got, '"bus": "af"')
    assert len(got) == 2
    assert 'Skipping GPU 0000:af:00.0: 2 mediated device(s)' in caplog.text


def test_exact_vendor_match(tmp_path):
    # "10de" appears in the line, but the vendor is not NVIDIA.
    line = ('0000:05:00.0 3D controller [0302]: Other Corp Device 10de '
            '[1234:10de]\n')
    assert _discover(tmp_path, line) == []


def test_truncated_and_garbage_lines_are_skipped(tmp_path, caplog):
    text = helpers.read_fixture('lspci', 'nvidia-gpu.nnn.txt')
    text = text.replace('[10de:15f7] (rev a1)', '[10de:15')
    text += '\x00garbage\n0000:zz:00.0 3D controller\n'
    got = _discover(tmp_path, text)
    assert len(got) == 2
    assert not helpers.find_device(got, '"bus": "d8"')
    assert "unparsable lspci line '0000:d8:00.0" in caplog.text


def test_unknown_vgpu_type_skips_only_that_gpu(tmp_path, caplog):
    conf = helpers.make_conf(text=(
        '[gpu_devices]\nenabled_vgpu_types = nvidia-999\n'
        '[vgpu_nvidia-999]\ndevice_addresses = 0000:af:00.0\n'),
        tmp_path=tmp_path)
    host = helpers.make_host(tmp_path, manifest='nvidia-t4-mdev.manifest',
                             lspci='nvidia-gpu.nnn.txt')
    got = nvidia.NVIDIAGPUDriver(host=host, conf=conf).discover()
    assert len(got) == 2 and not helpers.find_device(got, '"bus": "af"')
    assert 'Invalid requested vGPU type: nvidia-999' in caplog.text


@pytest.mark.parametrize('damage, reason', [
    ('available_instances', 'unreadable available_instances'),
    ('missing_dir', 'Invalid requested vGPU type'),
])
def test_broken_mdev_files_skip_the_gpu(tmp_path, caplog, damage, reason):
    host = helpers.make_host(tmp_path, manifest='nvidia-t4-mdev.manifest',
                             lspci='nvidia-gpu.nnn.txt')
    tdir = tmp_path / T4_TYPES / 'nvidia-223'
    if damage == 'available_instances':
        (tdir / 'available_instances').write_text('lots\n')
    else:
        shutil.rmtree(tmp_path / T4_TYPES)
    conf = helpers.make_conf('vgpu-t4.conf')
    got = nvidia.NVIDIAGPUDriver(host=host, conf=conf).discover()
    assert len(got) == 2 and not helpers.find_device(got, '"bus": "af"')
    assert reason in caplog.text


def test_one_word_type_name_falls_back_to_type_id(tmp_path):
    host = helpers.make_host(tmp_path, manifest='nvidia-t4-mdev.manifest',
                             lspci='nvidia-gpu.nnn.txt')
    (tmp_path / T4_TYPES / 'nvidia-223' / 'name').write_text('T4-2B\n')
    got = nvidia.NVIDIAGPUDriver(
        host=host, conf=helpers.make_conf('vgpu-t4.conf')).discover()
    [t4] = helpers.find_device(got, '"bus": "af"')
    assert t4['deployable_list'][0]['attribute_list'][2] == {
        'key': 'trait1', 'value': 'CUSTOM_NVIDIA_1EB8_NVIDIA_223'}


def _vgpu_conf(tmp_path, types, addresses):
    lines = ['[gpu_devices]', 'enabled_vgpu_types = %s' % ', '.join(types)]
    for t, addrs in addresses.items():
        lines += ['[vgpu_%s]' % t, 'device_addresses = %s' % ','.join(addrs)]
    return helpers.make_conf(text='\n'.join(lines) + '\n',
                             tmp_path=tmp_path)


def test_multi_type_config_is_valid(tmp_path):
    conf = helpers.make_conf('vgpu-multi-type.conf')
    assert vgpu.vgpu_mapping(conf) == {
        '0000:84:00.0': 'nvidia-35', '0000:85:00.0': 'nvidia-35',
        '0000:86:00.0': 'nvidia-36'}


@pytest.mark.parametrize('types, addresses, message', [
    (['nvidia-35'], {}, 'Missing device addresses config for vgpu type '
                        'nvidia-35'),
    (['nvidia-35', 'nvidia-36'],
     {'nvidia-35': ['0000:84:00.0'], 'nvidia-36': ['0000:84:00.0']},
     'Duplicate types for PCI address 0000:84:00.0'),
    (['nvidia-35'], {'nvidia-35': ['84:00.0']},
     'Incorrect PCI address: 84:00.0'),
])
def test_invalid_vgpu_config(tmp_path, types, addresses, message):
    conf = _vgpu_conf(tmp_path, types, addresses)
    host = helpers.make_host(tmp_path, lspci='nvidia-gpu.nnn.txt')
    with pytest.raises(exceptions.InvalidvGPUConfig) as ctx:
        nvidia.NVIDIAGPUDriver(host=host, conf=conf).discover()
    assert message in str(ctx.value)


def test_invalid_vgpu_config_fails_when_the_driver_is_created(tmp_path):
    conf = _vgpu_conf(tmp_path, ['nvidia-35'], {'nvidia-35': ['84:00.0']})
    host = helpers.make_host(tmp_path, lspci='nvidia-gpu.nnn.txt')
    with pytest.raises(exceptions.InvalidvGPUConfig,
                       match='Incorrect PCI address: 84:00.0'):
        nvidia.NVIDIAGPUDriver(host=host, conf=conf)
    assert host._runner.calls == []
