"""Fake FPGA driver: fixed output, reads nothing (drivers.md §3).

Upstream CI and the Tempest plugin depend on this exact tree.
"""
import json
import re

from cyborg.accelerator.drivers import base

_CPID = {'domain': '0000', 'bus': '0c', 'device': '00', 'function': '0'}
NUM_ACCELERATORS = 16


class FakeDriver(base.AcceleratorDriver, base.Programmable):

    def discover(self):
        name = re.sub('[^A-Za-z0-9_-]', '_', '%s_FakeDevice' % self.host_name)
        handles = []
        for n in range(1, NUM_ACCELERATORS + 1):
            info = dict(_CPID, device=str(n // 8), function=str(n % 8))
            handles.append(base.DriverAttachHandle(
                attach_type='TEST_PCI', attach_info=json.dumps(info)))
        deployable = base.DriverDeployable(
            name=name,
            num_accelerators=NUM_ACCELERATORS,
            driver_name='fake',
            attribute_list=[
                base.DriverAttribute('traits1', 'CUSTOM_FAKE_DEVICE'),
                base.DriverAttribute('rc', 'FPGA'),
            ],
            attach_handle_list=handles)
        return [base.DriverDevice(
            type='FPGA',
            vendor='0xABCD',
            model='miss model info',
            std_board_info=json.dumps({'device_id': '0xabcd',
                                       'class': 'Fake class'}),
            vendor_board_info='fake_vendor_info',
            controlpath_id=base.DriverControlPathID(
                cpid_type='PCI',
                cpid_info=json.dumps(_CPID, separators=(',', ':'))),
            deployable_list=[deployable],
            stub=False)]

    def program(self, controlpath_id, image_path):
        return True

    def update(self, controlpath_id, image_path):
        return True
