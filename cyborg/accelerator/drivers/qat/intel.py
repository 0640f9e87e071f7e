"""Intel QuickAssist via sysfs (drivers.md §8): C62x and Gen4.

One device per PF; one deployable per VF (the PF itself is assignable only
when it has no VFs). Deployable names use the OS host name, as upstream
(decisions D3.2 keeps provider names).

Beyond upstream, which knows only the C62x PF ``8086:37c8``, the Gen4
(4xxx family) PFs that current Xeon servers ship are recognised with the
same report shape: ``8086:4940`` (4xxx), ``8086:4942`` (401xx) and
``8086:4944`` (402xx). Their VFs (``4941``, ``4943``, ``4945``) are reached
through the PF's ``virtfn*`` links, never reported on their own.
"""
import logging

from cyborg.accelerator.drivers import base
from cyborg.accelerator.drivers import build
from cyborg.accelerator.drivers import pci
from cyborg.accelerator.drivers import sysfs_pci

LOG = logging.getLogger(__name__)

# PF device ids -> the id their VFs carry (documentation; VFs are found
# through virtfn links whatever their id).
PF_TO_VF_IDS = {
    '0x37c8': '0x37c9',   # C62x
    '0x4940': '0x4941',   # 4xxx (Gen4)
    '0x4942': '0x4943',   # 401xx (Gen4)
    '0x4944': '0x4945',   # 402xx (Gen4)
}
KNOWN_IDS = {('0x8086', pf) for pf in PF_TO_VF_IDS}
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
