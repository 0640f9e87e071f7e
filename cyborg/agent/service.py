"""The agent service: start-up sequence of internals.md §1.3, shared by
``cyborg-agent`` and the standalone mode.

``AgentService(host).start()``:

1. resolves the compute-node provider it serves by reading Placement
   (``[agent] resource_provider_name``, then ``host``), retried
   with back-off 1, 2, 4... seconds ``[agent]
   resource_provider_startup_retries`` times; then fails with
   ``PlacementResourceProviderNotFound``. This is the agent's only
   Placement access, and it only reads;
2. loads ``[agent] enabled_drivers`` (unknown name: ``InvalidDriver``);
3. starts the RPC server (topic ``cyborg-agent``, server = ``host``);
4. starts the periodic report (an oslo.service looping call): once the
   conductor answers, then every ``[DEFAULT] periodic_interval`` seconds.

Its identity (decisions D3.1: RPC host, compute-node provider name and
uuid) travels with every report and the conductor records it in the
``agents`` table; the agent itself never writes the database.
"""
import logging
import threading
import time

import oslo_messaging as messaging

from cyborg import context as cyborg_context
from cyborg.accelerator.drivers import loader
from cyborg.agent import manager as agent_manager
from cyborg.agent import resource_tracker
from cyborg.agent import rpcapi
from cyborg.common import exception
from cyborg.common import rpc
from cyborg.common import service as cyborg_service
from cyborg.conductor import rpcapi as conductor_rpcapi
from cyborg.conf import CONF

LOG = logging.getLogger(__name__)


def resolve_compute_node(client, candidates, retries, sleep=time.sleep):
    """The first provider named by one of ``candidates`` -> (name, uuid).

    Any Placement error during a probe counts as "not found".
    """
    candidates = [c for i, c in enumerate(candidates)
                  if c and c not in candidates[:i]]
    for attempt in range(retries + 1):
        for name in candidates:
            try:
                provider = client.get_provider_by_name(name)
            except Exception as exc:   # any failure is "not found"
                LOG.debug('Placement probe of %s failed: %s', name, exc)
                provider = None
            if provider is not None:
                return name, provider['uuid']
        if attempt < retries:
            delay = 2 ** attempt
            LOG.warning('No compute node provider named %s yet; retrying '
                        'in %ds', ' or '.join(candidates), delay)
            sleep(delay)
    raise exception.PlacementResourceProviderNotFound(
        resource_provider=' or '.join(candidates))


class AgentService:
    """:param host: RPC server name (``[DEFAULT] host``).
    :param placement: a PlacementClient (read only); from ``[placement]``
        when omitted. :param drivers: ``[(name, driver)]`` instead of
        loading ``[agent] enabled_drivers``. :param compute_node: ``(name,
        uuid)`` to skip the Placement look-up. :param interval: seconds
        between reports (``[DEFAULT] periodic_interval``)."""

    def __init__(self, host, conf=CONF, placement=None, drivers=None,
                 compute_node=None, interval=None, conductor=None,
                 sleep=time.sleep, host_view=None, image_fetcher=None):
        self.host = host
        self.conf = conf
        self._placement = placement
        self._drivers = drivers
        self.compute_node = compute_node
        self.interval = interval or conf.periodic_interval
        self._conductor = conductor
        self._sleep = sleep
        self._host_view = host_view
        self._image_fetcher = image_fetcher
        self.manager = None
        self.server = None
        self._stop = threading.Event()
        self._timer = None
        self._ready = False

    def _resolve(self):
        if self.compute_node is None:
            client = self._placement
            if client is None:
                from cyborg.clients import placement
                client = placement.PlacementClient(conf=self.conf)
            self.compute_node = resolve_compute_node(
                client, [self.conf.agent.resource_provider_name,
                         self.host],
                self.conf.agent.resource_provider_startup_retries,
                sleep=self._sleep)
        LOG.info('Agent %s serves compute node %s (%s)', self.host,
                 *self.compute_node)
        return self.compute_node

    def _load_drivers(self):
        if self._drivers is not None:
            return self._drivers
        names = list(self.conf.agent.enabled_drivers)
        instances = loader.load_drivers(names, conf=self.conf,
                                        host=self._host_view)
        return list(zip(names, instances))

    def start(self):
        # Drivers first: a bad driver option (a malformed device address)
        # stops the agent at once, before it waits for Placement.
        tracker = resource_tracker.ResourceTracker(self._load_drivers())
        name, rp_uuid = self._resolve()
        identity = {'host': self.host, 'compute_node_name': name,
                    'compute_node_rp_uuid': rp_uuid}
        conductor = self._conductor or conductor_rpcapi.ConductorAPI()
        self._conductor_api = conductor
        self.manager = agent_manager.AgentManager(
            tracker, conductor, identity, host_view=self._host_view,
            image_fetcher=self._image_fetcher)
        target = messaging.Target(topic=rpcapi.TOPIC, server=self.host)
        self.server = rpc.get_server(target, [self.manager])
        self.server.start()
        self._stop.clear()
        self._ready = False
        self._timer = cyborg_service.periodic(
            self._report_when_ready, self.interval, name='agent report')
        LOG.info('cyborg-agent %s started with drivers %s', self.host,
                 ', '.join(n for n, _ in tracker.drivers) or '(none)')

    def _report_when_ready(self):
        """Periodic (oslo.service): the first run waits for the conductor
        (until stop()), every run reports once."""
        if not self._ready:
            wait = getattr(self._conductor_api, 'wait_until_ready', None)
            if wait is not None and not wait(
                    cyborg_context.get_admin_context(), self._stop):
                return
            self._ready = True
        if not self._stop.is_set():
            self.report_once()

    def report_once(self):
        return self.manager.update_available_resource(
            cyborg_context.get_admin_context())

    def stop(self):
        self._stop.set()
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self.server is not None:
            self.server.stop()
            self.server.wait()
            self.server = None
