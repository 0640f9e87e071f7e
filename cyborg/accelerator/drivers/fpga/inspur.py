"""Inspur FPGAs via ``lspci`` (drivers.md §6); no programming.

Selection as upstream except that the vendor is the parsed id ``1bd4``
rather than a substring of the line. Upstream takes any Inspur function
(quirk D3), so the Inspur Ethernet controller of the fixture is still
reported as an FPGA, as in expected/inspur-fpga.json.
"""
from cyborg.accelerator.drivers import base
from cyborg.accelerator.drivers import build
from cyborg.accelerator.drivers import pci

VENDOR_ID = '1bd4'
VENDOR_TEXT = 'Inspur Electronic Information Industry Co., Ltd.'
CONTROLLER = 'Processing accelerators'
DRIVER_NAME = 'INSPUR'
VENDOR_BOARD_INFO = pci.board_info(vendor_info='fpga_vb_info')


class InspurFPGADriver(base.AcceleratorDriver):

    def discover(self):
        devices = []
        for entry in pci.lspci_entries(self.host):
            if entry.vendor_id.lower() != VENDOR_ID:
                continue
            if CONTROLLER not in entry.line and VENDOR_TEXT not in entry.line:
                continue
            attrs = base.attributes('FPGA', [
                'CUSTOM_FPGA_INSPUR',
                pci.trait('FPGA_PRODUCT_ID', entry.product_id)])
            devices.append(build.pci_device(
                dev_type='FPGA', vendor=entry.vendor_id, model=entry.model,
                std_board_info=pci.board_info(product_id=entry.product_id,
                                              controller=entry.controller),
                vendor_board_info=VENDOR_BOARD_INFO,
                address=entry.address,
                deployables=[build.pci_deployable(
                    '%s_%s' % (self.host_name, entry.address), DRIVER_NAME,
                    attrs, [entry.address])]))
        return devices
