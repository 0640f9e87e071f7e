"""Fake FPGA driver: fixed output, reads nothing (drivers.md §3).

Upstream CI and the Tempest plugin depend on this exact tree: with the
default options (``[fake_driver] num_devices = 1``, ``num_accelerators =
16``) it is one card on bus ``0c``. More cards (scale tests) add cards on
the following buses; the first card never changes.
"""
import json
import re

from cyborg.accelerator.drivers import base
from cyborg.conf import drivers as drivers_conf

_CPID = {'domain': '0000', 'bus': '0c', 'device': '00', 'function': '0'}
_FIRST_BUS = 0x0c


class FakeDriver(base.AcceleratorDriver, base.Programmable):

    def __init__(self, host=None, conf=None):
        super().__init__(host=host, conf=conf)
        drivers_conf.register_fake_opts(self.conf)

    def discover(self):
        group = self.conf.fake_driver
        return [self._card(n, group.num_accelerators)
                for n in range(group.num_devices)]

    def _card(self, index, accelerators):
        """Card ``index`` (0: the upstream card)."""
        cpid = dict(_CPID, bus='%02x' % (_FIRST_BUS + index))
        name = re.sub('[^A-Za-z0-9_-]', '_', '%s_FakeDevice' % self.host_name)
        if index:
            name += str(index)
        handles = []
        for n in range(1, accelerators + 1):
            info = dict(cpid, device=str(n // 8), function=str(n % 8))
            handles.append(base.DriverAttachHandle(
                attach_type='TEST_PCI', attach_info=json.dumps(info)))
        deployable = base.DriverDeployable(
            name=name,
            num_accelerators=accelerators,
            driver_name='fake',
            attribute_list=[
                base.DriverAttribute('traits1', 'CUSTOM_FAKE_DEVICE'),
                base.DriverAttribute('rc', 'FPGA'),
            ],
            attach_handle_list=handles)
        return base.DriverDevice(
            type='FPGA',
            vendor='0xABCD',
            model='miss model info',
            std_board_info=json.dumps({'device_id': '0xabcd',
                                       'class': 'Fake class'}),
            vendor_board_info='fake_vendor_info',
            controlpath_id=base.DriverControlPathID(
                cpid_type='PCI',
                cpid_info=json.dumps(cpid, separators=(',', ':'))),
            deployable_list=[deployable],
            stub=False)

    def program(self, controlpath_id, image_path):
        return True

    def update(self, controlpath_id, image_path):
        return True
