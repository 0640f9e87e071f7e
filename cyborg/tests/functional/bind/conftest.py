"""Fixtures of the bind tests (see ``env.py``)."""
import pytest

from cyborg.conductor.bind import flow as bind
from cyborg.tests.fixtures import database
from cyborg.tests.fixtures import nova
from cyborg.tests.fixtures import services
from cyborg.tests.functional.bind import env
from cyborg.tests.functional.bind import fpga_backends


@pytest.fixture
def service():
    """(db, app, fake nova) with a conductor on the fake transport."""
    env.init_conf()
    with database.Database() as db, services.Conductor() as _cond, \
            nova.FakeNova() as fake:
        fake.use()
        app = services.api_app()
        try:
            yield db, app, fake
        finally:
            bind.wait_jobs(10)
            fake.wait_idle(2)
            env.clear_api_conf()


@pytest.fixture
def client(service):
    return env.Client(service[1])


@pytest.fixture
def session(service):
    with service[0].session() as s:
        yield s


@pytest.fixture
def agent(service, tmp_path):
    """A test agent RPC server over a sysfs tree in ``tmp_path``."""
    endpoint = env.FakeAgentEndpoint(str(tmp_path))
    server = env.start_agent(endpoint)
    yield endpoint
    server.stop()
    server.wait()


@pytest.fixture
def backends(service):
    """Glance and Placement for FPGA programming binds, configured."""
    with fpga_backends.Backends() as fixture:
        yield fixture.configure()
