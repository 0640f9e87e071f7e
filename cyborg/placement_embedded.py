"""Real Placement, in-process, on SQLite.

The standalone mode has no separate Placement service, so it runs the real
one (the ``openstack-placement`` package) inside the cyborg process::

    placement = placement_embedded.start('/var/lib/cyborg')
    ...  # [placement] auth_type = admin_token, token = admin,
    ...  #             endpoint = placement.endpoint
    placement.stop()

The application runs with ``[api] auth_strategy = noauth2``: any request
carrying ``X-Auth-Token: admin`` acts as an administrator. Bind it to the
loopback interface only.

Placement keeps its database context, policy enforcer and "traits synced"
flags in module globals, so **one** Placement application may be active per
process at a time; :class:`PlacementApp` enforces that. The test fixture
(``cyborg.tests.fixtures.placement``) builds on the same class.
"""
import copy
import logging
import os
import socketserver
import threading
from wsgiref import simple_server

from oslo_config import cfg
from oslo_db.sqlalchemy import engines
from placement import conf as placement_conf
from placement import db_api
from placement import deploy
from placement import policies
from placement import policy
from placement.db.sqlalchemy import migration
from placement.objects import resource_class
from placement.objects import trait

LOG = logging.getLogger(__name__)

DB_FILE = 'placement.sqlite'
ADMIN_TOKEN = 'admin'
# What cyborg's own adapters claim with the admin token (noauth2 honours
# X-Roles): a service user's roles, so that Placement's service-only APIs
# (the reshaper that sets many providers' inventories at once) are
# allowed, as they are to a cloud's service users.
SERVICE_ROLES = ('admin', 'service')


def roles_for(token):
    """The roles cyborg's adapters claim with ``token``: a service
    user's with the admin token, none (noauth2 decides) otherwise."""
    return SERVICE_ROLES if token == ADMIN_TOKEN else None

_ACTIVE_LOCK = threading.Lock()
_active = None


def _reset_sync_flags():
    # Placement syncs os-traits / os-resource-classes into its database once
    # per process; a new database needs the sync again.
    trait._TRAITS_SYNCED = False
    resource_class._RESOURCE_CLASSES_SYNCED = False


def _placement_config(connection):
    conf = cfg.ConfigOpts()
    placement_conf.register_opts(conf)
    # [placement_database] connection is required at parse time.
    conf.set_default('connection', connection, group='placement_database')
    conf([], project='placement', default_config_files=[],
         default_config_dirs=[])
    conf.set_override('auth_strategy', 'noauth2', group='api')
    conf.set_override('connection', connection, group='placement_database')
    conf.set_override('sync_on_startup', False, group='placement_database')
    return conf


class PlacementApp:
    """Placement's WSGI application bound to one SQLite database.

    :param connection: SQLAlchemy URL, e.g. ``sqlite://`` (in memory, one
        connection shared by all threads) or ``sqlite:////path/db.sqlite``.
    :param schema: ``'upgrade'`` runs Placement's own alembic migrations to
        head (creates or upgrades a persistent database); ``'create'`` builds
        the tables from the models (fast; for throw-away test databases).
    """

    def __init__(self, connection, schema='upgrade'):
        global _active
        with _ACTIVE_LOCK:
            if _active is not None:
                raise RuntimeError(
                    'A Placement application is already active in this '
                    'process (%s)' % _active.connection)
            _active = self
        self.connection = connection
        self._reset_facade = None
        self._lock = threading.Lock()
        self.engine = None
        try:
            self.conf = _placement_config(connection)
            self._bind_database(schema)
            _reset_sync_flags()
            policy.reset()
            # oslo.policy may alter the rule defaults it is given: pass a copy
            # so that a second application in this process starts clean.
            policy.init(self.conf, suppress_deprecation_warnings=True,
                        rules=copy.deepcopy(policies.list_rules()))
            self.app = deploy.loadapp(self.conf)
        except BaseException:
            self.close()
            raise

    def _bind_database(self, schema):
        manager = db_api.placement_context_manager
        if not manager.is_started:
            # patch_engine() starts the global factory first; make sure that
            # start does not reach for cyborg's own [database] connection.
            manager.configure(connection='sqlite://')
        # Native threads, as cyborg's own database (cyborg.db.session):
        # no eventlet-style time.sleep(0) on every connection checkin
        # (some 50 us each on Linux, two or three per request).
        self.engine = engines.create_engine(self.connection,
                                            thread_checkin=False)
        self._reset_facade = manager.patch_engine(self.engine)
        if schema == 'create':
            migration.create_schema(self.engine)
        elif schema == 'upgrade':
            migration.upgrade('head')
        else:
            raise ValueError('schema must be "create" or "upgrade"')

    def __call__(self, environ, start_response):
        # SQLite allows one writer at a time (and an in-memory database is
        # one connection shared by every thread): serialise requests, with
        # the response materialised inside the lock.
        with self._lock:
            return list(self.app(environ, start_response))

    def close(self):
        global _active
        if self._reset_facade is not None:
            self._reset_facade()
            self._reset_facade = None
        if self.engine is not None:
            self.engine.dispose()
            self.engine = None
        policy.reset()
        _reset_sync_flags()
        with _ACTIVE_LOCK:
            if _active is self:
                _active = None


class _ThreadingServer(socketserver.ThreadingMixIn, simple_server.WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(simple_server.WSGIRequestHandler):
    def log_message(self, format, *args):
        LOG.debug('placement %s - %s', self.address_string(), format % args)


class EmbeddedPlacement:
    """A running Placement: ``endpoint``, ``database``, ``stop()``."""

    def __init__(self, placement_app, server, database):
        self._app = placement_app
        self._server = server
        self.database = database
        self.host, self.port = server.server_address[:2]
        self.endpoint = 'http://%s:%d' % (self.host, self.port)
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={'poll_interval': 0.1},
            name='placement-embedded', daemon=True)
        self._thread.start()

    def adapter(self, token=ADMIN_TOKEN):
        """A keystoneauth adapter for this Placement (noauth2 token; the
        admin token claims a service user's roles, :func:`roles_for`)."""
        from cyborg.clients import ksa
        return ksa.token_endpoint_adapter(self.endpoint, token=token,
                                          service_type='placement',
                                          roles=roles_for(token))

    def stop(self):
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
        self._server = None
        self._app.close()
        LOG.info('Embedded Placement at %s stopped', self.endpoint)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def start(state_dir, host='127.0.0.1', port=8778, schema='upgrade'):
    """Run real Placement (noauth2) on ``<state_dir>/placement.sqlite``.

    The schema is created or upgraded with Placement's migrations, standard
    traits and resource classes are synced, and a threaded WSGI server
    serves it from a daemon thread. ``port=0`` picks a free port; the
    returned object's ``endpoint`` names the one in use.
    """
    os.makedirs(state_dir, exist_ok=True)
    database = os.path.join(os.path.abspath(state_dir), DB_FILE)
    placement_app = PlacementApp('sqlite:///%s' % database, schema=schema)
    try:
        server = simple_server.make_server(
            host, port, placement_app,
            server_class=_ThreadingServer, handler_class=_QuietHandler)
    except BaseException:
        placement_app.close()
        raise
    running = EmbeddedPlacement(placement_app, server, database)
    LOG.info('Embedded Placement serving %s on %s', database,
             running.endpoint)
    return running
