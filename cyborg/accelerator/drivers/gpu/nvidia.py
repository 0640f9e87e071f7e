"""NVIDIA GPUs (drivers.md §7): whole GPUs (PGPU), SR-IOV VFs and vGPU
mdev types (VGPU), found with ``lspci -nnn -D`` plus sysfs.

What is offered (decisions D5.1), whatever ``[gpu_devices]
filter_sriov_vfs`` says:

* a function listed in a ``[vgpu_<type>] device_addresses`` list, PF or VF,
  is offered through that type (``VGPU``);
* a GPU is offered whole (``PGPU``) only when neither it nor any of its VFs
  (``virtfn*``) carries an mdev or a configured vGPU type: on SR-IOV GPUs
  (Ampere and later) the vGPUs live on the VFs, and the same silicon must
  not be sold twice;
* an SR-IOV VF with no vGPU type is never offered: a guest cannot use a
  bare NVIDIA VF without a vGPU profile (upstream bug 1987380).

``filter_sriov_vfs = True`` skips the VFs that are not configured for a
vGPU type before anything else, which under these rules changes nothing in
the report; unlike upstream 17.0.0 it never drops configured VFs, which
made upstream offer the PF whole while vGPUs ran on its VFs.

Other differences from upstream, deliberately:

* the vendor is the parsed id ``10de``, not a substring of the line;
* a malformed vGPU configuration stops the agent at start-up (upstream
  fails every report instead);
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

    def __init__(self, host=None, conf=None):
        super().__init__(host=host, conf=conf)
        # Checked now so that a bad [vgpu_*] group stops the agent at
        # start-up; it is checked again by every discovery (upstream).
        vgpu.vgpu_mapping(self.conf)

    def discover(self):
        mapping = vgpu.vgpu_mapping(self.conf)
        entries = [e for e in pci.lspci_entries(self.host)
                   if e.controller in GPU_CLASSES
                   and e.vendor_id == VENDOR_ID]
        present = {e.address.lower() for e in entries}
        for address in sorted(set(mapping) - present):
            LOG.warning('GPU %s is listed in [vgpu_%s] device_addresses but '
                        'lspci shows no NVIDIA GPU there (SR-IOV VFs not '
                        'created yet?); nothing is offered for it',
                        address, mapping[address])
        filter_vfs = self.conf.gpu_devices.filter_sriov_vfs
        devices, bare_vfs = [], []
        for entry in entries:
            address = entry.address.lower()
            vgpu_type = mapping.get(address)
            if vgpu_type:
                device = self._vgpu_device(entry, vgpu_type)
            elif self._is_vf(entry.address):
                # Never offered whole; with filter_sriov_vfs the operator
                # asked for VFs to be skipped, so say nothing about them.
                if not filter_vfs:
                    bare_vfs.append(entry.address)
                continue
            else:
                device = self._whole_gpu(entry, mapping)
            if device is not None:
                devices.append(device)
        if bare_vfs:
            LOG.info('Not offering %d SR-IOV VF(s) without a vGPU type (a '
                     'VF needs a vGPU profile to run a guest): %s',
                     len(bare_vfs), ', '.join(bare_vfs))
        return devices

    # --- SR-IOV -----------------------------------------------------------
    def _is_vf(self, address):
        try:
            return self.host.exists(self.host.pci_path(address, 'physfn'))
        except OSError:
            return False

    def _vf_addresses(self, address):
        path = self.host.pci_path(address)
        return sorted(
            os.path.basename(self.host.realpath(os.path.join(path, n)))
            for n in self.host.listdir(path) if n.startswith('virtfn'))

    def _whole_gpu(self, entry, mapping):
        """The PGPU device of ``entry``, or None (logged) when it or one of
        its VFs carries an mdev or a configured vGPU type."""
        carved = vgpu.existing_mdevs(self.host, entry.address)
        if carved:
            LOG.warning('Skipping GPU %s: %d mediated device(s) exist on it '
                        'but it is not configured for vGPU', entry.address,
                        carved)
            return None
        configured, carved_vfs = [], []
        for vf in self._vf_addresses(entry.address):
            if vf.lower() in mapping:
                configured.append(vf)
            elif vgpu.existing_mdevs(self.host, vf):
                carved_vfs.append(vf)
        if carved_vfs:
            LOG.warning('Skipping GPU %s: its VF(s) %s carry mediated devices '
                        'but are not configured for vGPU', entry.address,
                        ', '.join(carved_vfs))
            return None
        if configured:
            LOG.info('Not offering GPU %s whole: its VF(s) %s are '
                     'configured for vGPU', entry.address,
                     ', '.join(configured))
            return None
        return self._pgpu_device(entry)

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
                LOG.info('Not offering GPU %s: mdev type %s has no '
                         'capacity left on it', address, vgpu_type)
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
