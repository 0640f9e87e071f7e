"""Intel X710 / XXV710 NICs via sysfs (drivers.md §9).

Devices and deployables as for QAT; traits say PF/VF, the function name
and the physical network of the PF's network interface, taken from the
``physical_device_mappings`` / ``function_device_mappings`` of the groups
named in ``[nic_devices] enabled_nic_types``.

``device_addresses`` (17.0.0) narrows what is offered. A PF address offers
all of its VFs (or the PF itself when SR-IOV is off); a VF address offers
that VF only, its PF staying the device's control path; a PF none of whose
functions is selected is not reported at all. The lists of all enabled
groups are combined; when every list is empty, every function is offered
(upstream's behaviour before the option existed).

Differences from upstream: every enabled group is read (upstream reads only
``[x710_static]``, quirk D13; the fixture's group is that one), a PF
without a network interface is skipped with a log line instead of aborting
the report, and the configuration is checked when the driver is created,
so a malformed address stops the agent at start-up instead of failing
every report.
"""
import collections
import logging
import os

from cyborg.accelerator.drivers import base
from cyborg.accelerator.drivers import build
from cyborg.accelerator.drivers import exceptions
from cyborg.accelerator.drivers import pci
from cyborg.accelerator.drivers import sysfs_pci
from cyborg.conf import drivers as drivers_conf

LOG = logging.getLogger(__name__)

# XXV710 for 25GbE SFP28, XXV710 for 25GbE backplane, X710 for 10GbE SFP+.
KNOWN_IDS = {('0x8086', '0x158b'), ('0x8086', '0x158a'),
             ('0x8086', '0x1572')}
DRIVER_NAME = 'intel'
RESOURCE_CLASS = 'CUSTOM_NIC'

NICConfig = collections.namedtuple(
    'NICConfig', ['physnets', 'functions', 'addresses'])


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


def parse_addresses(entries, group):
    """Lower-cased PCI addresses of ``[group] device_addresses``; blank
    entries (a trailing comma) are ignored.

    :raises InvalidNICConfig: an entry is not ``DDDD:BB:SS.F``.
    """
    addresses = set()
    for entry in entries or []:
        address = entry.strip()
        if not address:
            continue
        if not pci.is_address(address):
            raise exceptions.InvalidNICConfig(
                group=group, option='device_addresses',
                reason='%r is not a PCI address of the form DDDD:BB:SS.F '
                       '(for example 0000:3b:00.0)' % entry)
        addresses.add(address.lower())
    return addresses


def read_config(conf):
    """The :class:`NICConfig` of every enabled NIC group; ``addresses`` is
    None when no group restricts the functions offered.

    :raises InvalidNICConfig: a malformed mapping or address.
    """
    nic_types = conf.nic_devices.enabled_nic_types or []
    drivers_conf.register_nic_type_opts(conf, nic_types)
    physnets, functions, addresses = [], [], set()
    for nic_type in nic_types:
        group = getattr(conf, nic_type)
        physnets += parse_mappings(group.physical_device_mappings,
                                   nic_type, 'physical_device_mappings')
        functions += parse_mappings(group.function_device_mappings,
                                    nic_type, 'function_device_mappings')
        addresses |= parse_addresses(group.device_addresses, nic_type)
    return NICConfig(physnets, functions, addresses or None)


def _first_key(mappings, ifname):
    for key, ifnames in mappings:
        if ifname in ifnames:
            return key
    return None


def select_functions(pf, has_vfs, vfs, addresses):
    """The functions of one PF to offer under ``addresses`` (None: all)."""
    if not has_vfs:
        if addresses is None or pf.address.lower() in addresses:
            return [pf]
        return []
    if addresses is None or pf.address.lower() in addresses:
        return list(vfs)
    return [vf for vf in vfs if vf.address.lower() in addresses]


class IntelNICDriver(base.AcceleratorDriver):

    def __init__(self, host=None, conf=None):
        super().__init__(host=host, conf=conf)
        # Checked now so that a bad option stops the agent at start-up.
        read_config(self.conf)

    def _ifname(self, pf):
        names = self.host.listdir(os.path.join(pf.path, 'net'))
        return names[-1] if names else None

    def discover(self):
        config = read_config(self.conf)
        hostname = self.host.hostname()
        devices, present = [], set()
        for pf in sysfs_pci.scan(self.host, KNOWN_IDS, 'NIC'):
            has_vfs, vfs = sysfs_pci.virtual_functions(self.host, pf)
            present.add(pf.address.lower())
            present.update(vf.address.lower() for vf in vfs)
            if has_vfs and not vfs:
                LOG.warning('Skipping NIC %s: none of its VFs is readable',
                            pf.address)
                continue
            offered = select_functions(pf, has_vfs, vfs, config.addresses)
            if not offered:
                LOG.debug('NIC %s not reported: none of its functions is '
                          'named in device_addresses', pf.address)
                continue
            device = self._device(pf, has_vfs, offered, config, hostname)
            if device is not None:
                devices.append(device)
        for address in sorted((config.addresses or set()) - present):
            LOG.warning('device_addresses names %s, which is not a function '
                        'of an Intel X710/XXV710 NIC on this host; ignored',
                        address)
        return devices

    def _device(self, pf, has_vfs, offered, config, hostname):
        ifname = self._ifname(pf)
        if ifname is None:
            LOG.warning('Skipping NIC %s: no network interface under '
                        '%s/net', pf.address, pf.path)
            return None
        function = _first_key(config.functions, ifname)
        physnet = _first_key(config.physnets, ifname)
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
            for f in offered]
        return build.pci_device(
            dev_type='NIC', vendor=pf.vendor, model='miss_model_info',
            std_board_info=pci.board_info(product_id=pf.device),
            vendor_board_info='miss_vb_info', address=pf.address,
            deployables=deployables)
