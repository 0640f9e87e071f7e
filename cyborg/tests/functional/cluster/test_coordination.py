"""Where the cluster locks live, and that they exclude (real servers)."""
from oslo_config import cfg
import pytest

from cyborg.conductor.cluster import coordination
from cyborg.conf import conductor
from cyborg.conf import coordination as coordination_opts
from cyborg.conf import database as database_opts
from cyborg.tests.fixtures import database


def _conf(connection, backend_url=None):
    conf = cfg.ConfigOpts()
    for module in (conductor, coordination_opts, database_opts):
        module.register_opts(conf)
    conf([], project='cyborg-test')
    conf.set_override('connection', connection, group='database')
    if backend_url:
        conf.set_override('backend_url', backend_url, group='coordination')
    return conf


def test_tooz_url_follows_the_database():
    assert coordination.tooz_url(_conf(
        'mysql+pymysql://u:p@db:3306/cyborg?charset=utf8')) == \
        'mysql://u:p@db:3306/cyborg'
    assert coordination.tooz_url(_conf(
        'postgresql+psycopg2://u:p@db/cyborg?options=-csearch_path%3Dx')) \
        == 'postgresql://u:p@db/cyborg'
    assert coordination.tooz_url(_conf('sqlite:////tmp/c.db')) is None
    assert coordination.tooz_url(_conf(
        'sqlite://', backend_url='etcd3+http://etcd:2379')) == \
        'etcd3+http://etcd:2379'


@pytest.mark.parametrize('backend', ['mysql', 'postgresql', 'sqlite'])
def test_lock_excludes_a_second_holder(backend):
    if backend == 'sqlite':
        first = second = coordination.LocalCoordinator().start()
    else:
        url = database.backend_url(backend)
        if url is None:
            pytest.skip('%s test server not reachable' % backend)
        tooz = coordination.tooz_url(_conf(url))
        first = coordination.ToozCoordinator(tooz, 'one').start()
        second = coordination.ToozCoordinator(tooz, 'two').start()
    try:
        with first.try_lock('test-lock') as taken:
            assert taken
            with second.try_lock('test-lock') as again:
                assert not again
        with second.try_lock('test-lock') as taken:
            assert taken
    finally:
        first.stop()
        second.stop()
