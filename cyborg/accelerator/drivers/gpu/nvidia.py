"""NVIDIA GPUs (drivers.md §7): whole GPUs (PGPU), SR-IOV VFs and vGPU
mdev types (VGPU), found with ``lspci -nnn -D`` plus sysfs.

Differences from upstream, deliberately:

* the vendor is the parsed id ``10de``, not a substring of the line;
* a PF is never offered while its VFs are offered too (filter off), and a
  GPU that already carries mdevs is never offered whole: the same silicon
  must not be sold twice;
* a GPU whose configured mdev type is missing, or whose mdev files cannot
  be read, is skipped with a log line instead of aborting the whole report;
* a one-word mdev type name falls back to the type id (quirk D14).
"""
import logging
import os

from cyborg.accelerator.drivers import base
from cyborg.accelerator.drivers import build
from cyborg.accelerator.drivers import pci
from cyborg.accelerator.drivers.gpu import vgpu

LOG = logging.getLogger(__name__)

VENDOR_ID = '10de'
GPU_CLASSES = ('VGA compatible controller', '3D controller')
DRIVER_NAME = 'NVIDIA'
VENDOR_BOARD_INFO = pci.board_info(vendor_info='gpu_vb_info')


class NVIDIAGPUDriver(base.AcceleratorDriver):

    def discover(self):
        mapping = vgpu.vgpu_mapping(self.conf)
        entries = [e for e in pci.lspci_entries(self.host)
                   if e.controller in GPU_CLASSES
                   and e.vendor_id.lower() == VENDOR_ID]
        entries = self._drop_sriov_overlap(entries)
        devices = []
        for entry in entries:
            vgpu_type = mapping.get(entry.address.lower())
            if vgpu_type:
                device = self._vgpu_device(entry, vgpu_type)
            else:
                device = self._pgpu_device(entry)
            if device is not None:
                devices.append(device)
        return devices

    # --- SR-IOV -----------------------------------------------------------
    def _is_vf(self, address):
        try:
            return self.host.exists(self.host.pci_path(address, 'physfn'))
        except OSError:
            return False

    def _vf_addresses(self, address):
        path = self.host.pci_path(address)
        return {os.path.basename(self.host.realpath(os.path.join(path, n)))
                for n in self.host.listdir(path) if n.startswith('virtfn')}

    def _drop_sriov_overlap(self, entries):
        if self.conf.gpu_devices.filter_sriov_vfs:
            kept = []
            for entry in entries:
                if self._is_vf(entry.address):
                    LOG.debug('Skipping GPU %s: SR-IOV VF and '
                              '[gpu_devices] filter_sriov_vfs is set',
                              entry.address)
                else:
                    kept.append(entry)
            return kept
        offered = {e.address.lower() for e in entries}
        kept = []
        for entry in entries:
            vfs = {a.lower() for a in self._vf_addresses(entry.address)}
            if vfs & offered:
                LOG.info('Skipping GPU %s: its SR-IOV VFs are offered '
                         'instead (%s)', entry.address,
                         ', '.join(sorted(vfs & offered)))
            else:
                kept.append(entry)
        return kept

    # --- devices ----------------------------------------------------------
    def _device(self, entry, deployable):
        return build.pci_device(
            dev_type='GPU', vendor=entry.vendor_id, model=entry.model,
            std_board_info=pci.board_info(product_id=entry.product_id,
                                          controller=entry.controller),
            vendor_board_info=VENDOR_BOARD_INFO,
            address=entry.address, deployables=[deployable])

    def _name(self, entry):
        return '%s_%s' % (self.host_name, entry.address)

    def _pgpu_device(self, entry):
        carved = vgpu.existing_mdevs(self.host, entry.address)
        if carved:
            LOG.warning('Skipping GPU %s: %d mediated device(s) exist on it '
                        'but it is not configured for vGPU', entry.address,
                        carved)
            return None
        attrs = base.attributes('PGPU', [
            'OWNER_CYBORG', pci.trait('NVIDIA', entry.product_id)])
        return self._device(entry, build.pci_deployable(
            self._name(entry), DRIVER_NAME, attrs, [entry.address]))

    def _vgpu_device(self, entry, vgpu_type):
        address = entry.address
        types = self.host.listdir(vgpu.mdev_types_dir(self.host, address))
        if vgpu_type not in types:
            LOG.warning('Skipping GPU %s: Invalid requested vGPU type: %s '
                        '(supported: %s)', address, vgpu_type,
                        ', '.join(types) or 'none')
            return None
        total = vgpu.capacity(self.host, address, vgpu_type)
        if not total:
            if total == 0:
                LOG.warning('Skipping GPU %s: mdev type %s has no capacity',
                            address, vgpu_type)
            return None
        name = vgpu.type_name(self.host, address, vgpu_type)
        attrs = base.attributes('VGPU', [
            'OWNER_CYBORG', pci.trait('NVIDIA', entry.product_id, name)])
        handles = [
            base.DriverAttachHandle(
                attach_type='MDEV',
                attach_info=pci.vgpu_json(address, vgpu_type,
                                          '%s_%d' % (vgpu_type, n)))
            for n in range(total)]
        deployable = base.DriverDeployable(
            name=self._name(entry), num_accelerators=total,
            driver_name=DRIVER_NAME, attribute_list=attrs,
            attach_handle_list=handles)
        return self._device(entry, deployable)
