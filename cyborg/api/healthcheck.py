"""``GET /healthcheck``: oslo.middleware's healthcheck, unauthenticated.

Mounted at ``[api] healthcheck_path`` (empty: none) in front of the
pipeline, so that load balancers need no token. Its backends are
``[healthcheck] backends``; cyborg's default is ``cyborg_database``
(:class:`DatabaseCheck`): the API is healthy only while ``SELECT 1`` on the
database answers within ``TIMEOUT`` seconds, otherwise the check answers
503 with the reason. ``disable_by_file`` and the other oslo.middleware
backends can be added.
"""
import threading

from oslo_middleware import healthcheck
from oslo_middleware.healthcheck import opts as healthcheck_opts
from oslo_middleware.healthcheck import pluginbase
import sqlalchemy as sa

TIMEOUT = 5.0
DEFAULT_BACKENDS = ['cyborg_database']


def _probe(result):
    from cyborg.db import session
    try:
        with session.get_engine().connect() as conn:
            conn.execute(sa.text('SELECT 1'))
        result.append(None)
    except Exception as exc:  # any failure means unreachable
        result.append(type(exc).__name__)


class DatabaseCheck(pluginbase.HealthcheckBaseExtension):
    """Healthy while the database answers ``SELECT 1``."""

    def healthcheck(self, server_port):
        result = []
        probe = threading.Thread(target=_probe, args=(result,), daemon=True,
                                 name='healthcheck-db')
        probe.start()
        probe.join(TIMEOUT)
        if not result:
            return pluginbase.HealthcheckResult(
                available=False,
                reason='database did not answer within %.0fs' % TIMEOUT)
        if result[0] is not None:
            return pluginbase.HealthcheckResult(
                available=False,
                reason='database unreachable (%s)' % result[0])
        return pluginbase.HealthcheckResult(available=True,
                                            reason='database OK')


def register_opts(conf):
    conf.register_opts(healthcheck_opts.HEALTHCHECK_OPTS,
                       group='healthcheck')
    conf.set_default('backends', DEFAULT_BACKENDS, group='healthcheck')


class PathDispatch:
    """Requests for ``path`` go to the health check, the rest to ``app``."""

    def __init__(self, app, check, path):
        self.app = app
        self.check = check
        self.path = path.rstrip('/') or '/'

    def __call__(self, environ, start_response):
        if (environ.get('PATH_INFO') or '/').rstrip('/') == \
                self.path.rstrip('/'):
            return self.check(environ, start_response)
        return self.app(environ, start_response)


def wrap(app, conf):
    path = conf.api.healthcheck_path
    if not path:
        return app
    register_opts(conf)
    check = healthcheck.Healthcheck(None, {'oslo_config_config': conf})
    return PathDispatch(app, check, path)
