"""PCI functions read from ``/sys/bus/pci/devices`` (QAT, NIC, Intel FPGA).

Every reading failure makes the function be skipped with a log line naming
it and the reason; nothing here raises on bad sysfs content.
"""
import collections
import logging
import os
import re

LOG = logging.getLogger(__name__)

PciFunction = collections.namedtuple(
    'PciFunction', ['address', 'path', 'vendor', 'device'])

_VIRTFN_RE = re.compile(r'^virtfn(\d+)$')


def read_uevent(host, path):
    """``KEY=VALUE`` lines of ``<path>/uevent`` as a dict, or None."""
    text = host.read(os.path.join(path, 'uevent'))
    if text is None:
        return None
    fields = {}
    for line in text.splitlines():
        key, sep, value = line.partition('=')
        if sep:
            fields[key.strip()] = value.strip()
    return fields


def read_function(host, path, what='PCI function'):
    """The :class:`PciFunction` at ``path`` or None (logged)."""
    name = os.path.basename(path)
    vendor = host.read_line(os.path.join(path, 'vendor'))
    device = host.read_line(os.path.join(path, 'device'))
    if not vendor or not device:
        LOG.warning('Skipping %s %s: vendor/device files unreadable',
                    what, name)
        return None
    uevent = read_uevent(host, path)
    address = (uevent or {}).get('PCI_SLOT_NAME')
    if not address:
        LOG.warning('Skipping %s %s: no PCI_SLOT_NAME in uevent', what, name)
        return None
    return PciFunction(address, path, vendor, device)


def scan(host, known_ids, what='PCI function'):
    """Functions of ``/sys/bus/pci/devices`` whose (vendor, device) text
    pair is in ``known_ids`` (exact comparison, e.g. ('0x8086', '0x37c8'))."""
    found = []
    bus = host.sys_path('bus', 'pci', 'devices')
    for name in host.listdir(bus):
        path = os.path.join(bus, name)
        ids = (host.read_line(os.path.join(path, 'vendor')),
               host.read_line(os.path.join(path, 'device')))
        if ids in known_ids:
            func = read_function(host, path, what)
            if func is not None:
                found.append(func)
    return found


def virtfn_links(host, path):
    """``virtfn<N>`` entries of a PF, in numeric order."""
    links = []
    for name in host.listdir(path):
        match = _VIRTFN_RE.match(name)
        if match:
            links.append((int(match.group(1)), name))
    return [name for _, name in sorted(links)]


def virtual_functions(host, pf, what='VF'):
    """``(has_vfs, [PciFunction])`` of a PF; each VF is read from
    ``/sys/bus/pci/devices/<basename of the virtfn link target>``."""
    links = virtfn_links(host, pf.path)
    vfs = []
    for link in links:
        target = host.realpath(os.path.join(pf.path, link))
        vf_path = host.sys_path('bus', 'pci', 'devices',
                                os.path.basename(target))
        vf = read_function(host, vf_path, what)
        if vf is not None:
            vfs.append(vf)
    return bool(links), vfs
