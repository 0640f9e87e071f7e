"""Running an FPGA programming tool for a control path (privileged)."""
import json
import logging

from cyborg.accelerator.drivers import exceptions
from cyborg.accelerator.drivers import pci

LOG = logging.getLogger(__name__)


def pci_fields(controlpath_id):
    """The validated ``domain/bus/device/function`` of a PCI control path
    (a mapping whose ``cpid_info`` is a dict or its JSON text).

    :raises InvalidType: the control path is not of type PCI.
    """
    cpid_type = controlpath_id.get('cpid_type')
    if cpid_type != 'PCI':
        raise exceptions.InvalidType(cpid_type=cpid_type)
    info = controlpath_id.get('cpid_info')
    if isinstance(info, str):
        info = json.loads(info)
    return pci.parse_address(pci.address_from_info(info))


def run_tool(host, argv):
    """Run a programming command; True when it exits 0."""
    try:
        result = host.execute(argv)
    except Exception as exc:  # noqa: BLE001 - any failure means False
        LOG.error('Programming command %s could not run: %s',
                  ' '.join(argv), exc)
        return False
    if result.returncode != 0:
        LOG.error('Programming command %s failed (exit %s): %s %s',
                  ' '.join(argv), result.returncode, result.stdout,
                  result.stderr)
        return False
    LOG.info('Programming command %s succeeded: %s', ' '.join(argv),
             result.stdout)
    return True
