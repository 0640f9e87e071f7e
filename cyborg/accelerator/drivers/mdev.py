"""Mediated-device (vGPU) creation and removal, called by the agent at
bind/unbind (drivers.md §7.2). The mdev uuid is the attach-handle uuid.

Both write one sysfs file through the privileged context of ``host``:

* create: ``<ah_uuid>`` -> ``/sys/class/mdev_bus/<addr>/mdev_supported_types/<type>/create``
* remove: ``1`` -> ``/sys/class/mdev_bus/<addr>/mdev_supported_types/<type>/devices/<ah_uuid>/remove``
"""  # noqa: E501
import json
import re
import uuid as uuid_lib

from cyborg.accelerator.drivers import exceptions
from cyborg.accelerator.drivers import pci

_MDEV_TYPE_RE = re.compile(r'^[A-Za-z0-9_][A-Za-z0-9_.-]*$')


def _type_dir(pci_addr, asked_type):
    pci.parse_address(pci_addr)
    if not _MDEV_TYPE_RE.match(asked_type or ''):
        raise exceptions.InvalidMdevRequest(
            reason='bad mdev type %r' % (asked_type,))
    return 'sys/class/mdev_bus/%s/mdev_supported_types/%s' % (
        pci_addr, asked_type)


def _canonical_uuid(ah_uuid, action):
    if not ah_uuid:
        raise exceptions.AttachHandleUUIDNeeded(action=action)
    try:
        return str(uuid_lib.UUID(str(ah_uuid)))
    except ValueError:
        raise exceptions.InvalidMdevRequest(
            reason='bad attach handle uuid %r' % (ah_uuid,)) from None


def create_mdev_path(pci_addr, asked_type):
    return _type_dir(pci_addr, asked_type) + '/create'


def remove_mdev_path(pci_addr, asked_type, ah_uuid):
    ah_uuid = _canonical_uuid(ah_uuid, 'remove')
    return '%s/devices/%s/remove' % (_type_dir(pci_addr, asked_type), ah_uuid)


def create_mdev(host, pci_addr, asked_type, ah_uuid):
    """Create the mdev ``ah_uuid`` of ``asked_type`` on GPU ``pci_addr``."""
    ah_uuid = _canonical_uuid(ah_uuid, 'create')
    host.write_sysfs(create_mdev_path(pci_addr, asked_type), ah_uuid)


def remove_mdev(host, pci_addr, asked_type, ah_uuid):
    """Remove the mdev ``ah_uuid`` of ``asked_type`` from ``pci_addr``."""
    host.write_sysfs(remove_mdev_path(pci_addr, asked_type, ah_uuid), '1')


def parse_attach_info(attach_info):
    """``(pci_addr, asked_type)`` of an MDEV attach handle's info (dict or
    JSON text, drivers.md §2.1 vGPU variant)."""
    if isinstance(attach_info, str):
        attach_info = json.loads(attach_info)
    return pci.address_from_info(attach_info), attach_info['asked_type']
