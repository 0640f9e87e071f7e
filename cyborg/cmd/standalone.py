"""cyborg-standalone: the whole service in one process, for trying it out.

The API on 127.0.0.1:6666, the conductor and an agent with the fake driver
run over oslo.messaging's in-process transport, on SQLite in a state
directory that survives restarts, with noauth and an admin identity unless
the request says otherwise. Unless ``[placement]`` names an external
Placement (``auth_type`` or ``endpoint_override`` set), a real embedded
Placement (``openstack-placement``, SQLite in the state directory) serves
on 127.0.0.1:8778, and the compute-node provider of this host is created
there if missing; ``[placement]`` is then pointed at it, so every client
built from config (device enable/disable in the conductor, ...) reaches
the same Placement. Ctrl-C (or SIGTERM) stops everything cleanly; it
runs in oslo.service's in-process launcher (threading backend).
"""
import os
import sys

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg
from oslo_log import log as logging

from cyborg.api import app as api_app
from cyborg.api import body_reader
from cyborg.cmd import common
from cyborg.common import service as cyborg_service
from cyborg.common import wsgi_service
from cyborg.conductor import service as conductor_service
from cyborg.conf import CONF
from cyborg.db import migration
from cyborg.db import session

LOG = logging.getLogger(__name__)

_DEFAULT_STATE = os.path.join(os.path.expanduser('~'), '.local', 'state',
                              'cyborg')

cli_opts = [
    cfg.StrOpt('state-dir', default=_DEFAULT_STATE,
               help='Directory for the database and other state.'),
    cfg.StrOpt('bind-host', default='127.0.0.1',
               help='Address the API listens on.'),
    cfg.PortOpt('bind-port', default=6666, help='Port the API listens on.'),
    cfg.PortOpt('placement-port', default=8778,
                help='Port of the embedded Placement (0: any free port).'),
]


def _configure(state_dir):
    os.makedirs(state_dir, exist_ok=True)
    CONF.set_override('state_path', state_dir)
    CONF.set_override('connection', 'sqlite:///%s' % os.path.join(
        state_dir, 'cyborg.sqlite'), group='database')
    CONF.set_override('transport_url', 'fake://')
    CONF.set_override('auth_strategy', 'noauth', group='api')


class _ClearOverrides:
    """A part whose stop() clears config overrides set by start()."""

    def __init__(self, group, names):
        self.group = group
        self.names = list(names)

    def stop(self):
        for name in self.names:
            CONF.clear_override(name, group=self.group)


class Standalone:
    """Everything the standalone mode runs; start() and stop()."""

    def __init__(self, state_dir, host, port, placement_port=8778):
        self.state_dir = os.path.abspath(state_dir)
        self.host = host
        self.port = port
        self.placement_port = placement_port
        self.placement_endpoint = None
        self.parts = []

    def _placement(self):
        """A Placement client: the configured one, else an embedded one."""
        from cyborg.clients import placement
        if CONF.placement.auth_type or CONF.placement.endpoint_override:
            return placement.PlacementClient(conf=CONF)
        from cyborg import placement_embedded
        embedded = placement_embedded.start(self.state_dir,
                                            port=self.placement_port)
        self.parts.append(embedded)
        self.placement_endpoint = embedded.endpoint
        self._configure_placement(embedded.endpoint,
                                  placement_embedded.ADMIN_TOKEN)
        return placement.PlacementClient(adapter=embedded.adapter())

    def _configure_placement(self, endpoint, token):
        """Point ``[placement]`` at the embedded Placement (undone by
        stop()): the conductor builds its own client from config for
        device enable/disable, and without this it has no endpoint."""
        CONF.register_opts(
            ks_loading.get_auth_plugin_conf_options('admin_token'),
            group='placement')
        overrides = {'auth_type': 'admin_token', 'endpoint': endpoint,
                     'token': token, 'endpoint_override': endpoint}
        for name, value in overrides.items():
            CONF.set_override(name, value, group='placement')
        self.parts.append(_ClearOverrides('placement', overrides))

    def _start_agent(self, client):
        from cyborg.agent import service as agent_service
        from cyborg.conductor.inventory import report as inventory
        inventory.set_placement(client)
        node = client.ensure_compute_node(CONF.host)
        agent = agent_service.AgentService(
            CONF.host, placement=client,
            compute_node=(node['name'], node['uuid']))
        agent.start()
        self.parts.append(agent)

    def start(self):
        _configure(self.state_dir)
        migration.upgrade('head')
        session.configure()
        client = self._placement()
        conductor = conductor_service.ConductorService(CONF.host)
        conductor.start()
        self.parts.append(conductor)
        self._start_agent(client)
        self.api = wsgi_service.WSGIServer(
            api_app.setup_app(), wsgi_service.listen(self.host, self.port),
            threads=CONF.api.worker_threads,
            read_timeout=CONF.api.client_socket_timeout,
            shutdown_timeout=CONF.graceful_shutdown_timeout,
            framing_error=body_reader.framing_error)
        self.api.start()
        self.parts.append(self.api)
        return self.api.url

    def stop(self):
        while self.parts:
            part = self.parts.pop()
            try:
                part.stop()
            except Exception:  # keep stopping the rest
                LOG.exception('Error while stopping %s', part)


class _Announced:
    """The standalone service, saying where it listens once started."""

    def __init__(self, standalone):
        self.standalone = standalone

    def start(self):
        url = self.standalone.start()
        print('cyborg standalone is running: API at %s (state in %s). '
              'Press Ctrl-C to stop.' % (url, self.standalone.state_dir),
              flush=True)
        if self.standalone.placement_endpoint:
            print('Embedded Placement at %s (token: admin).'
                  % self.standalone.placement_endpoint, flush=True)

    def stop(self):
        self.standalone.stop()
        print('cyborg standalone stopped.', flush=True)


def main(argv=None):
    CONF.register_cli_opts(cli_opts)
    common.parse_args(argv)
    cyborg_service.register_opts(CONF)
    standalone = Standalone(CONF.state_dir, CONF.bind_host, CONF.bind_port,
                            CONF.placement_port)
    return cyborg_service.run_in_process(
        CONF, cyborg_service.Managed(lambda: _Announced(standalone),
                                     name='cyborg-standalone'))


if __name__ == '__main__':
    sys.exit(main())
