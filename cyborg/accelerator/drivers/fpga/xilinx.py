"""Xilinx Alveo FPGAs via ``lspci`` (drivers.md §5), programmed with XRT.

Upstream selects lines by the text "Xilinx Corporation Device" and
"Processing accelerators" (quirk D4: it depends on pci.ids not knowing the
card). We select the parsed vendor id ``10ee`` and class ``1200``; the
fixture output is the same.
"""
import logging

from cyborg.accelerator.drivers import base
from cyborg.accelerator.drivers import build
from cyborg.accelerator.drivers import pci
from cyborg.accelerator.drivers.fpga import programming

LOG = logging.getLogger(__name__)

VENDOR_ID = '10ee'
CLASS_ID = '1200'
DRIVER_NAME = 'XILINX'
XBMGMT = '/opt/xilinx/xrt/bin/xbmgmt'
VENDOR_BOARD_INFO = pci.board_info(vendor_info='fpga_vb_info')


class XilinxFPGADriver(base.AcceleratorDriver, base.Programmable):

    def discover(self):
        cards = []  # [[first entry, addresses...]] in lspci order
        for entry in pci.lspci_entries(self.host):
            if (entry.vendor_id.lower() != VENDOR_ID
                    or entry.class_id != CLASS_ID):
                continue
            slot = entry.address.rsplit('.', 1)[0]
            for card in cards:
                if card[0].address.rsplit('.', 1)[0] == slot:
                    card.append(entry.address)
                    break
            else:
                cards.append([entry, entry.address])
        return [self._device(card[0], card[1:]) for card in cards]

    def _device(self, first, addresses):
        attrs = base.attributes('FPGA', [
            'CUSTOM_FPGA_XILINX',
            pci.trait('FPGA_PRODUCT_ID', first.product_id)])
        # One accelerator, one handle per function: a guest can only
        # program the card when it gets both physical functions.
        deployable = build.pci_deployable(
            '%s_%s' % (self.host_name, first.address), DRIVER_NAME, attrs,
            addresses, num_accelerators=1)
        return build.pci_device(
            dev_type='FPGA', vendor=first.vendor_id, model=first.model,
            std_board_info=pci.board_info(product_id=first.product_id,
                                          controller=first.controller),
            vendor_board_info=VENDOR_BOARD_INFO,
            address=first.address, deployables=[deployable])

    def program(self, controlpath_id, image_path):
        f = programming.pci_fields(controlpath_id)
        device = '%s:%s:%s:%s' % (f['domain'], f['bus'], f['device'],
                                  f['function'])
        return programming.run_tool(self.host, [
            XBMGMT, 'program', '--device', device, '--base',
            '--image', image_path])
