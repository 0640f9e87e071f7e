"""Intel X710 / XXV710 NICs via sysfs (drivers.md §9).

Devices and deployables as for QAT; traits say PF/VF, the function name
and the physical network of the PF's network interface, taken from the
``physical_device_mappings`` / ``function_device_mappings`` of the groups
named in ``[nic_devices] enabled_nic_types``.

Differences from upstream: every enabled group is read (upstream reads only
``[x710_static]``, quirk D13; the fixture's group is that one), and a PF
without a network interface is skipped with a log line instead of aborting
the report.
"""
import logging
import os

from cyborg.accelerator.drivers import base
from cyborg.accelerator.drivers import build
from cyborg.accelerator.drivers import exceptions
from cyborg.accelerator.drivers import pci
from cyborg.accelerator.drivers import sysfs_pci
from cyborg.conf import drivers as drivers_conf

LOG = logging.getLogger(__name__)

KNOWN_IDS = {('0x8086', '0x158b'), ('0x8086', '0x1572')}
DRIVER_NAME = 'intel'
RESOURCE_CLASS = 'CUSTOM_NIC'


def parse_mappings(entries, group, option):
    """``["key:if1|if2", ...]`` -> ``[(key, {if1, if2}), ...]``."""
    parsed, seen = [], set()
    for entry in entries or []:
        key, sep, ifnames = entry.partition(':')
        key = key.strip()
        if not sep or not key:
            raise exceptions.InvalidNICConfig(
                group=group, option=option,
                reason='%r is not <name>:<ifname>[|<ifname>...]' % entry)
        if key in seen:
            raise exceptions.InvalidNICConfig(
                group=group, option=option,
                reason='%r is listed twice' % key)
        seen.add(key)
        parsed.append((key, {i.strip() for i in ifnames.split('|')
                             if i.strip()}))
    return parsed


def _first_key(mappings, ifname):
    for key, ifnames in mappings:
        if ifname in ifnames:
            return key
    return None


class IntelNICDriver(base.AcceleratorDriver):

    def _mappings(self):
        nic_types = self.conf.nic_devices.enabled_nic_types or []
        drivers_conf.register_nic_type_opts(self.conf, nic_types)
        physnets, functions = [], []
        for nic_type in nic_types:
            group = getattr(self.conf, nic_type)
            physnets += parse_mappings(group.physical_device_mappings,
                                       nic_type, 'physical_device_mappings')
            functions += parse_mappings(group.function_device_mappings,
                                        nic_type, 'function_device_mappings')
        return physnets, functions

    def _ifname(self, pf):
        names = self.host.listdir(os.path.join(pf.path, 'net'))
        return names[-1] if names else None

    def discover(self):
        physnets, functions = self._mappings()
        hostname = self.host.hostname()
        devices = []
        for pf in sysfs_pci.scan(self.host, KNOWN_IDS, 'NIC'):
            ifname = self._ifname(pf)
            if ifname is None:
                LOG.warning('Skipping NIC %s: no network interface under '
                            '%s/net', pf.address, pf.path)
                continue
            has_vfs, vfs = sysfs_pci.virtual_functions(self.host, pf)
            if has_vfs and not vfs:
                LOG.warning('Skipping NIC %s: none of its VFs is readable',
                            pf.address)
                continue
            function = _first_key(functions, ifname)
            physnet = _first_key(physnets, ifname)
            traits = ['CUSTOM_VF' if has_vfs else 'CUSTOM_PF']
            if function:
                traits.append(pci.trait(function))
            if physnet:
                traits.append(pci.trait(physnet))
            deployables = [
                base.DriverDeployable(
                    name='%s_%s' % (hostname, f.address),
                    num_accelerators=1, driver_name=DRIVER_NAME,
                    attribute_list=base.attributes(RESOURCE_CLASS, traits),
                    attach_handle_list=[base.DriverAttachHandle(
                        attach_type='PCI',
                        attach_info=pci.pci_json(
                            f.address, physical_network=physnet))])
                for f in (vfs if has_vfs else [pf])]
            devices.append(build.pci_device(
                dev_type='NIC', vendor=pf.vendor, model='miss_model_info',
                std_board_info=pci.board_info(product_id=pf.device),
                vendor_board_info='miss_vb_info', address=pf.address,
                deployables=deployables))
        return devices
