"""vGPU configuration and mdev-type reading for the NVIDIA driver."""
import logging
import re

from cyborg.accelerator.drivers import exceptions
from cyborg.accelerator.drivers import pci
from cyborg.conf import drivers as drivers_conf

LOG = logging.getLogger(__name__)


def vgpu_mapping(conf):
    """``{pci address (lower case): mdev type}`` from ``[gpu_devices]
    enabled_vgpu_types`` and the ``[vgpu_<type>]`` groups.

    :raises InvalidvGPUConfig: missing addresses, an address under two
        types, or a malformed address.
    """
    types = conf.gpu_devices.enabled_vgpu_types or []
    drivers_conf.register_vgpu_opts(conf, types)
    mapping = {}
    for vgpu_type in types:
        group = getattr(conf, drivers_conf.vgpu_group_name(vgpu_type))
        addresses = group.device_addresses
        if not addresses:
            raise exceptions.InvalidvGPUConfig(
                reason='Missing device addresses config for vgpu type %s'
                       % vgpu_type)
        for address in addresses:
            if not pci.is_address(address):
                raise exceptions.InvalidvGPUConfig(
                    reason='Incorrect PCI address: %s' % address)
            key = address.lower()
            if key in mapping:
                raise exceptions.InvalidvGPUConfig(
                    reason='Duplicate types for PCI address %s' % address)
            mapping[key] = vgpu_type
    return mapping


def mdev_types_dir(host, address):
    return host.pci_path(address, 'mdev_supported_types')


def type_name(host, address, vgpu_type):
    """Placement-friendly name of ``vgpu_type``: the second word of its
    ``name`` file (``GRID T4-2B`` -> ``T4_2B``); the type id itself when the
    name has one word (upstream crashes there) or cannot be read."""
    name = host.read_line(
        host.pci_path(address, 'mdev_supported_types', vgpu_type, 'name'))
    words = (name or '').split()
    if len(words) >= 2:
        return words[1].replace('-', '_')
    LOG.info('GPU %s: mdev type %s has no two-word name (%r); using the '
             'type id in its trait', address, vgpu_type, name)
    return vgpu_type.replace('-', '_')


def capacity(host, address, vgpu_type):
    """``available_instances`` + mdevs already created, or None (logged)
    when the type directory cannot be read."""
    tdir = host.pci_path(address, 'mdev_supported_types', vgpu_type)
    raw = host.read_line(tdir + '/available_instances')
    try:
        available = int(raw)
    except (TypeError, ValueError):
        LOG.warning('Skipping GPU %s: unreadable available_instances of '
                    'mdev type %s (%r)', address, vgpu_type, raw)
        return None
    if available < 0:
        LOG.warning('Skipping GPU %s: negative available_instances of '
                    'mdev type %s', address, vgpu_type)
        return None
    return available + len(host.listdir(tdir + '/devices'))


_UUID_RE = re.compile(
    r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')


def mdev_uuids(host, address):
    """Uuids of the mdevs already created on ``address``, of any type.

    The kernel shows an mdev twice: as ``mdev_supported_types/<type>/
    devices/<uuid>`` and as a ``<uuid>`` child directory of its parent
    device (the one a ``remove`` is written to); either is enough.
    """
    found = set()
    tdir = mdev_types_dir(host, address)
    for vgpu_type in host.listdir(tdir):
        found.update(n.lower() for n in
                     host.listdir('%s/%s/devices' % (tdir, vgpu_type)))
    for name in host.listdir(host.pci_path(address)):
        if _UUID_RE.match(name.lower()) and host.exists(
                host.pci_path(address, name, 'mdev_type')):
            found.add(name.lower())
    return found


def existing_mdevs(host, address):
    """Number of mdevs of any type already created on ``address``."""
    return len(mdev_uuids(host, address))
