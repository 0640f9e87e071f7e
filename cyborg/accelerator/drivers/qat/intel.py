"""Intel QuickAssist C62x via sysfs (drivers.md §8).

One device per PF; one deployable per VF (the PF itself is assignable only
when it has no VFs). Deployable names use the OS host name, as upstream
(decisions D3.2 keeps provider names).
"""
import logging

from cyborg.accelerator.drivers import base
from cyborg.accelerator.drivers import build
from cyborg.accelerator.drivers import pci
from cyborg.accelerator.drivers import sysfs_pci

LOG = logging.getLogger(__name__)

KNOWN_IDS = {('0x8086', '0x37c8')}
DRIVER_NAME = 'intel'
RESOURCE_CLASS = 'CUSTOM_QAT'


class IntelQATDriver(base.AcceleratorDriver):

    def discover(self):
        devices = []
        hostname = self.host.hostname()
        for pf in sysfs_pci.scan(self.host, KNOWN_IDS, 'QAT'):
            has_vfs, vfs = sysfs_pci.virtual_functions(self.host, pf)
            functions = vfs if has_vfs else [pf]
            if not functions:
                LOG.warning('Skipping QAT %s: none of its VFs is readable',
                            pf.address)
                continue
            deployables = [
                build.pci_deployable(
                    '%s_%s' % (hostname, f.address), DRIVER_NAME,
                    [base.DriverAttribute('rc', RESOURCE_CLASS)],
                    [f.address])
                for f in functions]
            devices.append(build.pci_device(
                dev_type='QAT', vendor=pf.vendor, model='miss_model_info',
                std_board_info=pci.board_info(product_id=pf.device),
                vendor_board_info='miss_vb_info', address=pf.address,
                deployables=deployables))
        return devices
