"""Fixtures of the database functional tests.

``empty_db`` yields an engine on a new, empty database of each backend:
SQLite always, MySQL/MariaDB and PostgreSQL when a server is reachable
(``cyborg.tests.fixtures.servers.require``: skipped in a local run without
them, failed in CI). ``tools/ci/start-mysql.sh`` / ``start-postgresql.sh``
provide the servers.
"""
import os

import pytest

from cyborg.tests.fixtures import database
from cyborg.tests.fixtures import servers

BACKENDS = ('sqlite', 'mysql', 'postgresql')


@pytest.fixture
def db():
    """The per-test SQLite database at head (``database.Database``)."""
    with database.Database() as fixture:
        yield fixture


def _sqlite(tmp_path):
    path = os.path.join(tmp_path, 'empty.sqlite')
    engine = database.sqlite_engine(path)
    yield engine
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def empty_db(request, tmp_path):
    """An engine on a new, empty database of the parametrized backend."""
    if request.param == 'sqlite':
        yield from _sqlite(tmp_path)
        return
    url = servers.require(request.param)
    fix = database.ThrowawayDatabase(url)
    fix.setUp()
    try:
        yield fix.engine
    finally:
        fix.cleanUp()


@pytest.fixture
def sqlite_db(tmp_path):
    """An engine on a new, empty SQLite file with foreign keys on."""
    yield from _sqlite(tmp_path)
