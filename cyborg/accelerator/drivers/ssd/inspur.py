"""NVMe SSDs via ``lspci -nn -D`` (drivers.md §11).

:class:`NVMeSSDDriver` reports every NVMe controller; the registered
``inspur_nvme_ssd_driver`` keeps vendor ``1bd4`` (parsed id, not a
substring of the line).
"""
from cyborg.accelerator.drivers import base
from cyborg.accelerator.drivers import build
from cyborg.accelerator.drivers import pci

CONTROLLER = 'Non-Volatile memory controller'
VENDOR_NAMES = {'10de': 'nvidia', '102b': 'matrox', '1bd4': 'inspur',
                '8086': 'intel', '1099': 'samsung', '1cf2': 'zte'}
VENDOR_BOARD_INFO = pci.board_info(vendor_info='ssd_vb_info')


class NVMeSSDDriver(base.AcceleratorDriver):
    """Generic NVMe discovery; not an entry point."""

    vendor_id = None  # any vendor
    driver_name = None

    def discover(self):
        devices = []
        for entry in pci.lspci_entries(self.host, args=('-nn', '-D')):
            vendor = entry.vendor_id.lower()
            if entry.controller != CONTROLLER:
                continue
            if self.vendor_id is not None and vendor != self.vendor_id:
                continue
            traits = [pci.trait('SSD_PRODUCT_ID', entry.product_id)]
            if vendor in VENDOR_NAMES:  # no "CUSTOM_SSD_" trait (D12)
                traits.insert(0, pci.trait('SSD', VENDOR_NAMES[vendor]))
            attrs = base.attributes('CUSTOM_SSD', traits)
            driver_name = self.driver_name or VENDOR_NAMES.get(
                vendor, vendor).upper()
            devices.append(build.pci_device(
                dev_type='SSD', vendor=entry.vendor_id, model=entry.model,
                std_board_info=pci.board_info(product_id=entry.product_id,
                                              controller=entry.controller),
                vendor_board_info=VENDOR_BOARD_INFO,
                address=entry.address,
                deployables=[build.pci_deployable(
                    '%s_%s' % (self.host_name, entry.address), driver_name,
                    attrs, [entry.address])]))
        return devices


class InspurNVMeSSDDriver(NVMeSSDDriver):
    vendor_id = '1bd4'
    driver_name = 'INSPUR'
