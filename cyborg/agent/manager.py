"""The agent's RPC endpoint and its periodic report (internals.md §2.3,
§4.1). Host actions go to the drivers' helpers; reports go to the
conductor. The agent never writes the database or Placement.
"""
import contextlib
import logging
import threading

import oslo_messaging as messaging

from cyborg.accelerator.drivers import base
from cyborg.accelerator.drivers import exceptions as driver_exceptions
from cyborg.agent import preparation
from cyborg.agent import rpcapi
from cyborg.common import exception

LOG = logging.getLogger(__name__)

# Vendor ids some deployables carry instead of a driver tag (§2.3).
_VENDOR_TAGS = {'0x8086': 'intel', '1bd4': 'inspur'}


@contextlib.contextmanager
def _as_cyborg_error():
    """Driver errors travel back to the caller as ServerError."""
    try:
        yield
    except driver_exceptions.DriverError as exc:
        raise exception.ServerError(err=str(exc))


class AgentManager:
    """:param tracker: a ``ResourceTracker``; :param conductor: a
    ``ConductorAPI``; :param identity: ``{host, compute_node_name,
    compute_node_rp_uuid}``; :param host_view: the drivers' HostView
    (mdev writes; the real host when None); :param image_fetcher:
    ``fetch(context, image_uuid, path)`` downloading an FPGA bitstream
    (Glance, ``preparation.fetch_image``, when None)."""

    target = messaging.Target(version=rpcapi.RPC_API_VERSION)

    def __init__(self, tracker, conductor, identity, host_view=None,
                 image_fetcher=None):
        self.tracker = tracker
        self.conductor = conductor
        self.identity = identity
        self.host_view = host_view
        self.image_fetcher = image_fetcher
        self._cycle = threading.Lock()
        self.reports = 0

    # -- periodic --------------------------------------------------------

    def update_available_resource(self, context):
        """Discover and report once; never raises (logged instead).

        Returns the conductor's summary, or None when the report failed.
        """
        with self._cycle:
            payload = self.tracker.report(agent=self.identity)
            try:
                summary = self.conductor.report_data(
                    context, self.identity['compute_node_name'], payload)
            except exception.PlacementResourceProviderNotFound as exc:
                LOG.error('Unable to report usage: %s', exc)
                return None
            except Exception:
                LOG.exception('Resource report to the conductor failed')
                return None
            self.reports += 1
            LOG.debug('Resource report done: %s', summary)
            return summary

    # -- RPC endpoint ----------------------------------------------------

    @messaging.expected_exceptions(exception.CyborgException)
    def create_vgpu_mdev(self, context, pci_addr, asked_type, ah_uuid):
        with _as_cyborg_error():
            preparation.create_vgpu_mdev(self.host_view, pci_addr,
                                         asked_type, ah_uuid)

    @messaging.expected_exceptions(exception.CyborgException)
    def remove_vgpu_mdev(self, context, pci_addr, asked_type, ah_uuid):
        with _as_cyborg_error():
            preparation.remove_vgpu_mdev(self.host_view, pci_addr,
                                         asked_type, ah_uuid)

    @messaging.expected_exceptions(exception.CyborgException)
    def fpga_program(self, context, controlpath_id, bitstream_uuid,
                     driver_name):
        preparation.check_uuid(bitstream_uuid)
        driver = self._programmer(driver_name)
        with _as_cyborg_error():
            return preparation.program(
                context, driver, controlpath_id, bitstream_uuid,
                fetch=self.image_fetcher or preparation.fetch_image)

    def _programmer(self, driver_name):
        tag = _VENDOR_TAGS.get(driver_name, driver_name)
        driver = self.tracker.driver_for_tag(tag)
        if not isinstance(driver, base.Programmable):
            raise exception.ServerError(
                err='No FPGA driver on this host programs %s devices'
                    % driver_name)
        return driver

