"""Agent service + conductor over the in-process transport (fake://),
real database and real Placement."""
import time

import pytest
import sqlalchemy as sa

from cyborg.accelerator.drivers import fake
from cyborg.agent import rpcapi as agent_rpcapi
from cyborg.agent import service
from cyborg.common import exception
from cyborg.conf import CONF
from cyborg.db import models
from cyborg.tests.fixtures import services
from cyborg.tests.functional.inventory import conftest


@pytest.fixture
def conductor(cn):
    CONF.set_override('host', conftest.HOST)
    CONF.set_override('resource_provider_name', conftest.HOST,
                      group='agent')
    with services.Conductor() as fixture:
        yield fixture
    CONF.clear_override('host')
    CONF.clear_override('resource_provider_name', group='agent')


class Broken:
    def discover(self):
        raise RuntimeError('driver exploded')


def _wait(predicate, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_agent_reports_and_records_identity(ctx, database, placement, cn,
                                            conductor):
    agent = service.AgentService(
        conftest.HOST, placement=placement.new_client(), interval=3600,
        drivers=[('broken', Broken()),
                 ('fake_driver', fake.FakeDriver(conf=CONF))])
    agent.start()
    try:
        assert _wait(lambda: agent.manager.reports >= 1)
        with database.session() as s:
            [dep] = s.scalars(sa.select(models.Deployable)).all()
            [row] = s.scalars(sa.select(models.Agent)).all()
        assert dep.name == conftest.HOST + '_FakeDevice'
        assert dep.rp_uuid is not None
        assert (row.host, row.compute_node_name, row.compute_node_rp_uuid) \
            == (conftest.HOST, conftest.HOST, cn['uuid'])
        # agent RPC reaches the agent by its host name
        api = agent_rpcapi.AgentAPI(timeout=10)
        with pytest.raises(exception.ServerError):
            api.remove_vgpu_mdev(ctx, conftest.HOST, 'bad-address',
                                 'nvidia-1',
                                 '5b1b6f5a-3c1e-4a3e-9c55-3f7c8b0c2a11')
    finally:
        agent.stop()


def test_failing_driver_never_deletes_its_devices(ctx, database, placement,
                                                  cn, conductor):
    fake_driver = fake.FakeDriver(conf=CONF)
    agent = service.AgentService(
        conftest.HOST, placement=placement.new_client(), interval=3600,
        drivers=[('fake_driver', fake_driver)])
    agent.start()
    try:
        assert _wait(lambda: agent.manager.reports >= 1)
        fake_driver.discover = Broken().discover
        summary = agent.report_once()
        assert summary['removed'] == 0
    finally:
        agent.stop()
    # a fresh agent whose driver never succeeded: nothing removed either
    agent = service.AgentService(
        conftest.HOST, placement=placement.new_client(), interval=3600,
        drivers=[('fake_driver', fake_driver)])
    agent.start()
    try:
        assert _wait(lambda: agent.manager.reports >= 1)
    finally:
        agent.stop()
    with database.session() as s:
        assert len(s.scalars(sa.select(models.Deployable)).all()) == 1
    assert placement.client.get_provider(
        '543a03cc-fcc6-3b4f-bd88-b6df86721dd1') is not None


def test_agent_fails_to_start_without_compute_node(database, placement,
                                                   conductor):
    CONF.set_override('resource_provider_startup_retries', 1,
                      group='agent')
    sleeps = []
    agent = service.AgentService('nowhere', placement=placement.new_client(),
                                 sleep=sleeps.append)
    CONF.set_override('resource_provider_name', 'nowhere-fqdn',
                      group='agent')
    try:
        with pytest.raises(exception.PlacementResourceProviderNotFound):
            agent.start()
    finally:
        CONF.clear_override('resource_provider_startup_retries',
                            group='agent')
    assert sleeps == [1]
