"""Huawei Ascend 310 AI chips via ``lspci`` (drivers.md §10).

Differences from upstream: the ids are matched exactly (vendor ``19e5``,
product ``d100``) instead of "d100 anywhere in the line", and the
deployable carries ``rc = CUSTOM_AICHIP`` (decisions D3.3) so the device
reaches Placement. The deployable name keeps upstream's form.
"""
import logging
import re

from cyborg.accelerator.drivers import base
from cyborg.accelerator.drivers import build
from cyborg.accelerator.drivers import pci

VENDOR_ID = '19e5'
PRODUCT_ID = 'd100'
DRIVER_NAME = 'huawei'
RESOURCE_CLASS = 'CUSTOM_AICHIP'

LOG = logging.getLogger(__name__)

# §2.2 pattern with a lower-case address and a mandatory "(rev xx)".
ASCEND_RE = re.compile(
    r'^(?P<address>[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]) '
    r'(?P<controller>.*) \[(?P<class_id>[0-9a-fA-F]{4})\]: '
    r'(?P<model>.*) \[(?P<vendor_id>[0-9a-fA-F]{4}):'
    r'(?P<product_id>[0-9a-fA-F]{4})\] \(rev [0-9a-fA-F]{2}\)$')


class AscendDriver(base.AcceleratorDriver):

    def discover(self):
        devices = []
        for entry in pci.lspci_entries(self.host):
            if (entry.vendor_id.lower() != VENDOR_ID
                    or entry.product_id.lower() != PRODUCT_ID):
                continue
            if not ASCEND_RE.match(entry.line):
                LOG.warning('Skipping Ascend %s: line without revision or '
                            'with an upper-case address: %r', entry.address,
                            entry.line)
                continue
            name = '%s_%s' % (entry.model, re.sub('[:.]', '_', entry.address))
            devices.append(build.pci_device(
                dev_type='AICHIP', vendor=entry.vendor_id, model='',
                std_board_info=pci.board_info(device_id=entry.product_id,
                                              **{'class': entry.controller}),
                vendor_board_info='',
                address=entry.address,
                deployables=[build.pci_deployable(
                    name, DRIVER_NAME,
                    [base.DriverAttribute('rc', RESOURCE_CLASS)],
                    [entry.address])]))
        return devices
