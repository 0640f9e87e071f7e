"""An upstream 17.0.0 database, upgraded by ``cyborg-dbsync upgrade`` and
served by this project: the API app in-process (noauth, wsgi-intercept),
a conductor on ``fake://`` and the real Placement seeded with the
providers the upstream deployment had."""
import contextlib
import subprocess
import sys

import pytest
import wsgi_intercept
from wsgi_intercept import requests_intercept

from cyborg.conductor.inventory import report as inventory
from cyborg.conf import CONF
from cyborg.db import session as db_session
from cyborg.tests.fixtures import database
from cyborg.tests.fixtures import placement as placement_fixture
from cyborg.tests.fixtures import services
from cyborg.tests.functional.api import dp_arq_client
from cyborg.tests.functional.api import gabbi_fixtures
from cyborg.tests.functional.upgrade import upstream

BACKENDS = ('mysql', 'postgresql')


def dbsync(tmp_path, url, *args):
    conf = tmp_path / 'cyborg.conf'
    conf.write_text('[database]\nconnection = %s\n' % url)
    return subprocess.run(
        [sys.executable, '-m', 'cyborg.cmd.dbsync', '--config-file',
         str(conf), *args], capture_output=True, text=True, timeout=180)


class Upgraded:
    def __init__(self, backend, fixture, data):
        self.backend = backend
        self.engine = fixture.engine
        self.url = fixture.url_string()
        self.data = data


@contextlib.contextmanager
def _restored(backend):
    url = database.backend_url(backend)
    if url is None:
        pytest.skip('no %s test server reachable' % backend)
    with database.ThrowawayDatabase(url) as fixture:
        schema = (upstream.schema_of(fixture.url)
                  if backend == 'postgresql' else None)
        upstream.restore(backend, fixture.engine, schema)
        yield Upgraded(backend, fixture, upstream.manifest(backend))


@pytest.fixture(params=BACKENDS)
def restored(request):
    """The upstream dump of the backend, restored (not upgraded yet)."""
    with _restored(request.param) as db:
        yield db


@pytest.fixture(scope='module', params=BACKENDS)
def upgraded(request, tmp_path_factory):
    """The restored upstream database after ``cyborg-dbsync upgrade``,
    shared by a module's tests (they run in definition order; only the
    last one may change rows)."""
    with _restored(request.param) as db:
        proc = dbsync(tmp_path_factory.mktemp('dbsync'), db.url, 'upgrade')
        assert proc.returncode == 0, proc.stdout + proc.stderr
        yield db


class _ApiOn:
    """APIFixture's pieces on an existing database."""

    def __init__(self, engine, url):
        self.engine, self.url = engine, url

    def __enter__(self):
        gabbi_fixtures.init_conf()
        CONF.set_override('connection', self.url, group='database')
        self._restore = db_session.use_engine(self.engine)
        self.conductor = services.Conductor()
        self.conductor.setUp()
        gabbi_fixtures._STATE['app'] = services.api_app(
            public_endpoint=gabbi_fixtures.PUBLIC_ENDPOINT)
        requests_intercept.install()
        wsgi_intercept.add_wsgi_intercept(dp_arq_client.HOST, 80,
                                          gabbi_fixtures.setup_app)
        return dp_arq_client.Client(legacy=False)

    def __exit__(self, *exc):
        wsgi_intercept.remove_wsgi_intercept(dp_arq_client.HOST, 80)
        requests_intercept.uninstall()
        gabbi_fixtures._STATE.pop('app', None)
        for name in ('auth_strategy', 'public_endpoint'):
            CONF.clear_override(name, group='api')
        CONF.clear_override('enforce_new_defaults', group='oslo_policy')
        self.conductor.cleanUp()
        CONF.clear_override('connection', group='database')
        self._restore()


@pytest.fixture
def deployment(upgraded):
    """``(upgraded, api client, placement)``: the upgraded database served
    by this project, Placement seeded as upstream left it."""
    with placement_fixture.PlacementFixture() as placement:
        upstream.seed_placement(placement, upgraded.data)
        inventory.set_placement(placement.new_client())
        try:
            with _ApiOn(upgraded.engine, upgraded.url) as api:
                yield upgraded, api, placement
        finally:
            inventory.set_placement(None)
