"""What the agent does for a bind: mdevs and FPGA bitstreams (§2.3, §5.6).

Functions for the agent's RPC endpoint (``AgentManager``):

* :func:`create_vgpu_mdev` / :func:`remove_vgpu_mdev`: through
  ``cyborg.accelerator.drivers.mdev``, **idempotent**: creating an mdev
  that already exists (a bind retried after a conductor died) or removing
  one that is gone succeeds without touching sysfs. That is what lets the
  conductor retry and clean up after failures safely.
* :func:`fetch_image`: the ``image_fetcher`` of ``AgentManager``: downloads
  a bitstream from Glance with the caller's token (``clients/glance.py``).
* :func:`program`: the whole ``fpga_program`` step for a given driver:
  check the uuid, download into a temporary ``<uuid>*.gbs`` file, run the
  driver's ``program()``, always delete the file; returns the driver's
  boolean.
"""
import logging
import os
import tempfile
import uuid as uuid_lib

from cyborg.accelerator.drivers import base
from cyborg.accelerator.drivers import mdev
from cyborg.clients import glance
from cyborg.common import exception

LOG = logging.getLogger(__name__)


def _host(host_view):
    if host_view is None:
        from cyborg.accelerator.drivers import host
        host_view = host.HostView()
    return host_view


def _mdev_dir(host_view, pci_addr, asked_type, ah_uuid):
    """``.../mdev_supported_types/<type>/devices/<uuid>`` under the root."""
    relpath = mdev.remove_mdev_path(pci_addr, asked_type, ah_uuid)
    return os.path.dirname(os.path.join(host_view.root, relpath))


def mdev_exists(host_view, pci_addr, asked_type, ah_uuid):
    host_view = _host(host_view)
    bus_path = host_view.sys_path('bus', 'mdev', 'devices', str(ah_uuid))
    return (host_view.exists(bus_path) or host_view.exists(
        _mdev_dir(host_view, pci_addr, asked_type, ah_uuid)))


def create_vgpu_mdev(host_view, pci_addr, asked_type, ah_uuid):
    """Create mdev ``ah_uuid`` unless it already exists."""
    host_view = _host(host_view)
    if mdev_exists(host_view, pci_addr, asked_type, ah_uuid):
        LOG.info('mdev %s already exists on %s', ah_uuid, pci_addr)
        return False
    mdev.create_mdev(host_view, pci_addr, asked_type, ah_uuid)
    LOG.info('Created mdev %s (%s) on %s', ah_uuid, asked_type, pci_addr)
    return True


def remove_vgpu_mdev(host_view, pci_addr, asked_type, ah_uuid):
    """Remove mdev ``ah_uuid`` if it exists."""
    host_view = _host(host_view)
    remove = os.path.join(host_view.root, mdev.remove_mdev_path(
        pci_addr, asked_type, ah_uuid))
    if not host_view.exists(remove):
        LOG.info('mdev %s on %s is already gone', ah_uuid, pci_addr)
        return False
    mdev.remove_mdev(host_view, pci_addr, asked_type, ah_uuid)
    LOG.info('Removed mdev %s from %s', ah_uuid, pci_addr)
    return True


def fetch_image(context, image_uuid, path):
    """Download Glance image ``image_uuid`` to ``path`` (caller's token)."""
    return glance.GlanceClient(context).download(image_uuid, path)


def check_uuid(bitstream_uuid):
    try:
        uuid_lib.UUID(str(bitstream_uuid))
    except ValueError:
        raise exception.InvalidUUID(uuid=bitstream_uuid)


def program(context, driver, controlpath_id, bitstream_uuid,
            fetch=fetch_image):
    """Download the bitstream and program it with ``driver``."""
    check_uuid(bitstream_uuid)
    if not isinstance(driver, base.Programmable):
        raise exception.ServerError(err='driver %s cannot program FPGAs'
                                    % type(driver).__name__)
    fd, path = tempfile.mkstemp(prefix=str(bitstream_uuid), suffix='.gbs')
    os.close(fd)
    try:
        fetch(context, bitstream_uuid, path)
        ok = bool(driver.program(controlpath_id, path))
    finally:
        os.unlink(path)
    LOG.info('Programming %s with %s: %s', controlpath_id, bitstream_uuid,
             'done' if ok else 'FAILED')
    return ok
