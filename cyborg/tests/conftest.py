"""Session-wide rules of the test suite.

Where the test servers are required (CI; see
:mod:`cyborg.tests.fixtures.servers`), a session that collected
functional tests refuses to run when MariaDB, PostgreSQL or RabbitMQ does
not answer: it stops before the first test, naming each missing server,
instead of letting a test that checks the server in its own way skip it.
"""
import pytest

from cyborg.tests.fixtures import servers


def pytest_collection_modifyitems(session, config, items):
    if not servers.required():
        return
    if not any('/functional/' in item.nodeid.replace('\\', '/')
               or item.nodeid.startswith('functional/') for item in items):
        return
    missing = [servers.reason(name) for name in servers.NAMES
               if servers.problem(name) is not None]
    if missing:
        pytest.exit('required test servers are missing:\n  '
                    + '\n  '.join(missing), returncode=3)
