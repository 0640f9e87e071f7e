import pytest

from cyborg.accelerator.drivers import base
from cyborg.accelerator.drivers import exceptions
from cyborg.accelerator.drivers import fake
from cyborg.accelerator.drivers import loader
from cyborg.tests.unit.accelerator import helpers

# Every family of drivers.md §1 except the legacy nvmf_spdk_driver (§13),
# which has no discover() and is deliberately not registered.
EXPECTED_NAMES = {
    'fake_driver', 'nvidia_gpu_driver', 'xilinx_fpga_driver',
    'inspur_fpga_driver', 'inspur_nvme_ssd_driver', 'huawei_ascend_driver',
    'pci_driver', 'intel_fpga_driver', 'intel_qat_driver',
    'intel_nic_driver',
}


def test_unknown_name_raises_invalid_driver(tmp_path):
    with pytest.raises(exceptions.InvalidDriver) as ctx:
        loader.load_drivers(['fake_driver', 'no_such_driver'],
                            conf=helpers.make_conf(),
                            host=helpers.make_host(tmp_path))
    assert str(ctx.value) == 'Found an invalid driver: no_such_driver'


def test_loads_in_given_order_with_injected_host_and_conf(tmp_path):
    conf = helpers.make_conf()
    host = helpers.make_host(tmp_path)
    [drv] = loader.load_drivers(['fake_driver'], conf=conf, host=host)
    assert isinstance(drv, fake.FakeDriver)
    assert drv.host is host and drv.conf is conf


def test_every_entry_point_loads(tmp_path):
    names = loader.available_drivers()
    assert EXPECTED_NAMES <= set(names)
    conf = helpers.make_conf()
    drivers = loader.load_drivers(names, conf=conf,
                                  host=helpers.make_host(tmp_path))
    assert len(drivers) == len(names)
    for drv in drivers:
        assert isinstance(drv, base.AcceleratorDriver)
        # Nothing on an empty host (the fake driver reads nothing).
        if not isinstance(drv, fake.FakeDriver):
            assert drv.discover() == []


def test_empty_list(tmp_path):
    assert loader.load_drivers([]) == []
