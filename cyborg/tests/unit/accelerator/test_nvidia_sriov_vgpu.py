"""NVIDIA driver on an A100 host with SR-IOV on and vGPUs on the VFs
(decisions D5.1), with ``[gpu_devices] filter_sriov_vfs`` on and off."""
import json
import os

import pytest

from cyborg.accelerator.drivers.gpu import nvidia
from cyborg.accelerator.drivers.gpu import vgpu
from cyborg.tests.unit.accelerator import helpers

LSPCI = 'nvidia-a100-vgpu-vfs.nnn.txt'
MANIFEST = 'nvidia-a100-vgpu-vfs.manifest'
CONFIG = 'vgpu-a100-vfs.conf'
GPU_A = 'sys/devices/pci0000:3a/0000:3a:00.0'
GPU_B = 'sys/devices/pci0000:ae/0000:ae:00.0'
MODEL = 'NVIDIA Corporation GA100 [A100 PCIe 40GB]'
UUID = '0b6f1c2e-9d84-4a7b-8e35-c41f2a9d7e10'


def _fields(address):
    domain, bus, rest = address.split(':')
    device, function = rest.split('.')
    return {'bus': bus, 'device': device, 'domain': domain,
            'function': function}


def _device(address, rc, traits, handles):
    return {
        'type': 'GPU', 'vendor': '10de', 'model': MODEL,
        'std_board_info': json.dumps({'product_id': '20f1',
                                      'controller': '3D controller'}),
        'vendor_board_info': json.dumps({'vendor_info': 'gpu_vb_info'}),
        'stub': False,
        'controlpath_id': {'cpid_type': 'PCI',
                           'cpid_info': json.dumps(_fields(address),
                                                   sort_keys=True)},
        'deployable_list': [{
            'name': 'compute-01_%s' % address,
            'num_accelerators': len(handles), 'driver_name': 'NVIDIA',
            'attribute_list': [{'key': 'rc', 'value': rc}] + [
                {'key': 'trait%d' % i, 'value': t}
                for i, t in enumerate(traits)],
            'attach_handle_list': handles}]}


def _vgpu(address, vgpu_type, type_name, count):
    handles = [{'attach_type': 'MDEV', 'in_use': False,
                'attach_info': json.dumps(dict(
                    _fields(address), asked_type=vgpu_type,
                    vgpu_mark='%s_%d' % (vgpu_type, n)), sort_keys=True)}
               for n in range(count)]
    return _device(address, 'VGPU',
                   ['OWNER_CYBORG', 'CUSTOM_NVIDIA_20F1_%s' % type_name],
                   handles)


def _pgpu(address):
    return _device(address, 'PGPU', ['OWNER_CYBORG', 'CUSTOM_NVIDIA_20F1'],
                   [{'attach_type': 'PCI', 'in_use': False,
                     'attach_info': json.dumps(_fields(address),
                                               sort_keys=True)}])


def _discover(tmp_path, config=CONFIG, text=None, filter_vfs=None,
              damage=None):
    host = helpers.make_host(tmp_path / 'root', manifest=MANIFEST,
                             lspci=LSPCI)
    if damage:
        damage(tmp_path / 'root')
    conf = helpers.make_conf(config, text=text, tmp_path=tmp_path)
    if filter_vfs is not None:
        conf.set_override('filter_sriov_vfs', filter_vfs, 'gpu_devices')
    return nvidia.NVIDIAGPUDriver(host=host, conf=conf).discover()


def _offered(devices):
    return sorted((d.deployable_list[0].attribute_list[0].value,
                   json.loads(d.controlpath_id.cpid_info)['bus'] + ':'
                   + json.loads(d.controlpath_id.cpid_info)['device'] + '.'
                   + json.loads(d.controlpath_id.cpid_info)['function'])
                  for d in devices)


def _add_mdev(root, gpu, vf, uuid=UUID, as_link=True):
    """Create an mdev of nvidia-472 on ``vf`` the way the kernel shows it."""
    vf_dir = root / gpu / vf
    (vf_dir / uuid).mkdir()
    os.symlink('../mdev_supported_types/nvidia-472',
               vf_dir / uuid / 'mdev_type')
    if as_link:
        os.symlink('../../../%s' % uuid, vf_dir /
                   'mdev_supported_types/nvidia-472/devices' / uuid)


@pytest.mark.parametrize('filter_vfs', [True, False])
def test_vgpus_on_vfs(tmp_path, filter_vfs):
    """The configured VFs are offered through their type, one vGPU each
    (an existing mdev counts in the capacity); the PF they belong to is
    not offered whole; the bare VFs of both GPUs are not offered; the idle
    GPU B is offered whole. Upstream 17.0.0 instead drops the configured
    VFs when the filter is on and offers PF A whole while vGPUs run on
    it; with the filter off it also offers all 28 bare VFs as PGPUs."""
    got = _discover(tmp_path, filter_vfs=filter_vfs)
    expected = [_vgpu('0000:3b:00.%d' % f, 'nvidia-472', 'A100_4C', 1)
                for f in (4, 5, 6, 7)] + [_pgpu('0000:af:00.0')]
    assert helpers.canonical(got) == helpers.canonical(expected)


@pytest.mark.parametrize('filter_vfs', [True, False])
def test_without_vgpu_config_a_gpu_with_mdevs_on_its_vfs_is_not_whole(
        tmp_path, caplog, filter_vfs):
    got = _discover(tmp_path, config=None, filter_vfs=filter_vfs)
    assert _offered(got) == [('PGPU', 'af:00.0')]
    assert ('Skipping GPU 0000:3b:00.0: its VF(s) 0000:3b:00.4, '
            '0000:3b:00.5 carry mediated devices') in caplog.text


def test_an_mdev_on_one_vf_keeps_the_whole_gpu_back(tmp_path, caplog):
    # Seen only as the child directory of the VF (no devices/ link).
    got = _discover(tmp_path, damage=lambda r: _add_mdev(
        r, GPU_B, '0000:af:01.3', as_link=False))
    assert ('PGPU', 'af:00.0') not in _offered(got)
    assert len(got) == 4
    assert 'Skipping GPU 0000:af:00.0: its VF(s) 0000:af:01.3' in caplog.text


def test_mdev_uuids_reads_both_kernel_views(tmp_path):
    host = helpers.make_host(tmp_path / 'root', manifest=MANIFEST)
    _add_mdev(tmp_path / 'root', GPU_B, '0000:af:00.4', as_link=False)
    assert vgpu.mdev_uuids(host, '0000:af:00.4') == {UUID}
    assert vgpu.mdev_uuids(host, '0000:3b:00.4') == {
        '8a8c4bfe-6a2f-4d3e-9f1c-2b7e0d5c1a01'}
    assert vgpu.mdev_uuids(host, '0000:3b:00.6') == set()
    assert vgpu.mdev_uuids(host, '0000:3b:00.0') == set()


@pytest.mark.parametrize('filter_vfs', [True, False])
def test_a_configured_vf_blocks_the_whole_gpu_even_without_capacity(
        tmp_path, filter_vfs):
    # The VF of GPU B configured for nvidia-473 has no instance left: it is
    # not offered, and GPU B is still not offered whole.
    def damage(root):
        (root / GPU_B / '0000:af:00.4/mdev_supported_types/nvidia-473/'
         'available_instances').write_text('0\n')
    got = _discover(tmp_path, config=None, filter_vfs=filter_vfs, text=(
        '[gpu_devices]\nenabled_vgpu_types = nvidia-473\n'
        '[vgpu_nvidia-473]\ndevice_addresses = 0000:af:00.4\n'),
        damage=damage)
    assert got == []


def test_vgpu_type_configured_on_gpu_b_vfs(tmp_path):
    got = _discover(tmp_path, config=None, text=(
        '[gpu_devices]\nenabled_vgpu_types = nvidia-474\n'
        '[vgpu_nvidia-474]\ndevice_addresses = 0000:af:00.4, 0000:af:02.3\n'))
    assert helpers.canonical(got) == helpers.canonical([
        _vgpu('0000:af:00.4', 'nvidia-474', 'A100_8C', 1),
        _vgpu('0000:af:02.3', 'nvidia-474', 'A100_8C', 1)])


def test_pf_address_on_an_sriov_gpu_offers_nothing_of_it(tmp_path, caplog):
    # Ampere PFs have no mdev_supported_types: listing the PF is a
    # configuration mistake, reported, and the PF is not offered whole.
    got = _discover(tmp_path, config=None, text=(
        '[gpu_devices]\nenabled_vgpu_types = nvidia-472\n'
        '[vgpu_nvidia-472]\ndevice_addresses = 0000:af:00.0\n'))
    assert got == []
    assert ('Skipping GPU 0000:af:00.0: Invalid requested vGPU type: '
            'nvidia-472') in caplog.text


def test_configured_vf_missing_from_lspci_is_reported(tmp_path, caplog):
    # 0000:af:02.4 would be a 17th VF: not there.
    got = _discover(tmp_path, config=None, text=(
        '[gpu_devices]\nenabled_vgpu_types = nvidia-472\n'
        '[vgpu_nvidia-472]\ndevice_addresses = 0000:af:02.4\n'))
    assert _offered(got) == [('PGPU', 'af:00.0')]
    assert ('GPU 0000:af:02.4 is listed in [vgpu_nvidia-472] '
            'device_addresses but lspci shows no NVIDIA GPU there'
            ) in caplog.text
