"""Huawei Ascend 310 AI chips via ``lspci`` (drivers.md §10).

Differences from upstream master, as in 17.0.0 or deliberately:

* the lines are read with the parser every lspci driver shares, as in
  17.0.0: the ``model`` is the lspci device text (e.g. ``Huawei
  Technologies Co., Ltd. Device``, upstream master reports ``""``), the ids
  are lower-cased, and a line without ``(rev xx)`` (a card whose revision
  is 0) is an Ascend like any other (master skips it);
* the ids are matched exactly (vendor ``19e5``, product ``d100``) instead
  of "d100 anywhere in the line";
* the deployable carries ``rc = CUSTOM_AICHIP`` (decisions D3.3) so the
  device reaches Placement.

The deployable name keeps upstream's form, ``<device text>_<address with
':' and '.' replaced by '_'>``.
"""
import re

from cyborg.accelerator.drivers import base
from cyborg.accelerator.drivers import build
from cyborg.accelerator.drivers import pci

VENDOR_ID = '19e5'
PRODUCT_ID = 'd100'
DRIVER_NAME = 'huawei'
RESOURCE_CLASS = 'CUSTOM_AICHIP'


class AscendDriver(base.AcceleratorDriver):

    def discover(self):
        devices = []
        for entry in pci.lspci_entries(self.host):
            if (entry.vendor_id != VENDOR_ID
                    or entry.product_id != PRODUCT_ID):
                continue
            name = '%s_%s' % (entry.model, re.sub('[:.]', '_', entry.address))
            devices.append(build.pci_device(
                dev_type='AICHIP', vendor=entry.vendor_id, model=entry.model,
                std_board_info=pci.board_info(device_id=entry.product_id,
                                              **{'class': entry.controller}),
                vendor_board_info='',
                address=entry.address,
                deployables=[build.pci_deployable(
                    name, DRIVER_NAME,
                    [base.DriverAttribute('rc', RESOURCE_CLASS)],
                    [entry.address])]))
        return devices
