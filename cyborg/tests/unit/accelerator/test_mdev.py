import pytest

from cyborg.accelerator import privileged
from cyborg.accelerator.drivers import exceptions
from cyborg.accelerator.drivers import host as host_mod
from cyborg.accelerator.drivers import mdev
from cyborg.tests.unit.accelerator import helpers

ADDR = '0000:af:00.0'
NEW_UUID = '0f5b5a4e-4c1e-4d8e-9a57-1f2b3c4d5e6f'
OLD_UUID = 'a1b2c3d4-0001-4e5f-8a9b-0c1d2e3f4a01'
T4_DIR = 'sys/devices/pci0000:ae/0000:ae:00.0/0000:af:00.0'


@pytest.fixture
def t4_host(tmp_path):
    return helpers.make_host(tmp_path, manifest='nvidia-t4-mdev.manifest')


def test_create_writes_uuid_to_create_file(t4_host, tmp_path):
    mdev.create_mdev(t4_host, ADDR, 'nvidia-223', NEW_UUID)
    via_class = tmp_path / ('sys/class/mdev_bus/%s/mdev_supported_types/'
                            'nvidia-223/create' % ADDR)
    assert via_class.read_text() == NEW_UUID
    # The class link resolves to the device's own sysfs directory.
    real = tmp_path / T4_DIR / 'mdev_supported_types/nvidia-223/create'
    assert real.read_text() == NEW_UUID


def test_remove_writes_1_to_remove_file(t4_host, tmp_path):
    mdev.remove_mdev(t4_host, ADDR, 'nvidia-223', OLD_UUID)
    assert (tmp_path / T4_DIR / OLD_UUID / 'remove').read_text() == '1'


def test_exact_paths():
    assert mdev.create_mdev_path(ADDR, 'nvidia-223') == (
        'sys/class/mdev_bus/0000:af:00.0/mdev_supported_types/nvidia-223/'
        'create')
    assert mdev.remove_mdev_path(ADDR, 'nvidia-223', OLD_UUID.upper()) == (
        'sys/class/mdev_bus/0000:af:00.0/mdev_supported_types/nvidia-223/'
        'devices/%s/remove' % OLD_UUID)


@pytest.mark.parametrize('func', [mdev.create_mdev, mdev.remove_mdev])
def test_uuid_needed(t4_host, func):
    with pytest.raises(exceptions.AttachHandleUUIDNeeded):
        func(t4_host, ADDR, 'nvidia-223', None)


@pytest.mark.parametrize('addr, mdev_type, ah_uuid, exc', [
    ('../../etc', 'nvidia-223', NEW_UUID, exceptions.InvalidPCIAddress),
    (ADDR, '../../../x', NEW_UUID, exceptions.InvalidMdevRequest),
    (ADDR, 'nvidia-223', 'not-a-uuid/../x', exceptions.InvalidMdevRequest),
])
def test_bad_input_is_refused(t4_host, addr, mdev_type, ah_uuid, exc):
    with pytest.raises(exc):
        mdev.remove_mdev(t4_host, addr, mdev_type, ah_uuid)


def test_remove_of_unknown_mdev_fails_without_creating_files(t4_host,
                                                             tmp_path):
    with pytest.raises(FileNotFoundError):
        mdev.remove_mdev(t4_host, ADDR, 'nvidia-223', NEW_UUID)
    assert not (tmp_path / T4_DIR / NEW_UUID).exists()


def test_parse_attach_info():
    info = ('{"asked_type": "nvidia-223", "bus": "af", "device": "00", '
            '"domain": "0000", "function": "0", "vgpu_mark": "nvidia-223_3"}')
    assert mdev.parse_attach_info(info) == (ADDR, 'nvidia-223')


@pytest.mark.parametrize('relpath', [
    'sys/class/mdev_bus/x/../../../etc/passwd',
    'sys/bus/pci/devices/0000:af:00.0/remove',
    'sys/class/mdev_bus/0000:af:00.0/mdev_supported_types/t/name',
    '/sys/class/mdev_bus/a/create',
])
def test_privileged_write_allows_only_mdev_files(tmp_path, relpath):
    with pytest.raises(PermissionError):
        privileged.do_write_sysfs(str(tmp_path), relpath, '1')


def test_real_host_goes_through_privsep_entrypoint(monkeypatch):
    calls = []
    monkeypatch.setattr(privileged, 'write_sysfs',
                        lambda *args: calls.append(args))
    host = host_mod.HostView(root='/')
    mdev.create_mdev(host, ADDR, 'nvidia-223', NEW_UUID)
    assert calls == [('/', 'sys/class/mdev_bus/0000:af:00.0/'
                      'mdev_supported_types/nvidia-223/create', NEW_UUID)]


def test_privileged_execute_allowlist():
    with pytest.raises(PermissionError):
        privileged.do_execute(['rm', '-rf', '/'])
