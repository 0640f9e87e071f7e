"""Generic PCI passthrough driver (drivers.md §12): every ``lspci``
function selected by ``[pci] passthrough_whitelist`` becomes one device.

Difference from upstream: the device type is ``PCI`` (decisions D3.3);
upstream hard-codes ``GPU``.
"""
import re

from cyborg.accelerator.drivers import base
from cyborg.accelerator.drivers import build
from cyborg.accelerator.drivers import pci
from cyborg.accelerator.drivers.passthrough import whitelist

DEVICE_TYPE = 'PCI'
VENDOR_NAMES = {'10de': 'NVIDIA', '102b': 'MATROX', '8086': 'INTEL',
                '1bd4': 'INSPUR', '10ee': 'XILINX', '19e5': 'HUAWEI'}

# Looser than §2.2: address (decimal function digit), white space, then
# anything up to the last "[vvvv:pppp]" bracket.
GENERIC_RE = re.compile(
    r'^(?P<address>[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.\d)\s+'
    r'.*\[(?P<vendor_id>[0-9a-fA-F]{4}):(?P<product_id>[0-9a-fA-F]{4})\]')


class PciDriver(base.AcceleratorDriver):

    def discover(self):
        specs = whitelist.parse(self.host, self.conf.pci.passthrough_whitelist)
        if not specs:
            return []
        devices = []
        for entry in pci.lspci_entries(self.host, pattern=GENERIC_RE):
            if not pci.is_address(entry.address):
                continue
            if whitelist.matches(specs, entry.address, entry.vendor_id,
                                 entry.product_id):
                devices.append(self._device(entry))
        return devices

    def _device(self, entry):
        vendor = entry.vendor_id.lower()
        traits = ['OWNER_CYBORG']
        if vendor in VENDOR_NAMES:
            traits.append(pci.trait('PCI', VENDOR_NAMES[vendor]))
        traits.append(pci.trait('PCI_PRODUCT_ID', entry.product_id))
        driver_name = VENDOR_NAMES.get(vendor, entry.vendor_id.upper())
        return build.pci_device(
            dev_type=DEVICE_TYPE, vendor=entry.vendor_id,
            model=entry.product_id,
            std_board_info=pci.board_info(product_id=entry.product_id,
                                          controller=None),
            vendor_board_info='miss_vb_info',
            address=entry.address,
            deployables=[build.pci_deployable(
                '%s_%s' % (self.host_name, entry.address), driver_name,
                base.attributes('CUSTOM_PCI', traits), [entry.address])])
