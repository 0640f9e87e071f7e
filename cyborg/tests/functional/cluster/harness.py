"""Real processes for the cluster tests: conductors, an agent, the API.

:class:`Processes` writes one config file (RabbitMQ with a control
exchange of its own, the given database, the recording Nova, short
heartbeats) and spawns ``cyborg-conductor`` (the real console entry
point), the bind tests' agent (``bind/procs.py``) and ``cyborg-api``,
each with its own ``[DEFAULT] host`` and log file.
"""

import pytest
import sqlalchemy as sa

from cyborg.db import migration
from cyborg.tests.fixtures import database
from cyborg.tests.fixtures import servers
from cyborg.tests.functional import processes

HEADERS = processes.HEADERS
_CONDUCTOR = ('import sys; from cyborg.cmd import conductor as m; '
              'sys.exit(m.main(sys.argv[1:]))')


def rabbit_up():
    """RabbitMQ's URL; skips (local run) or fails (CI) without it."""
    return servers.require('rabbitmq')


# The fixture lives in this folder's conftest.py.
needs_rabbit = pytest.mark.usefixtures('_rabbitmq')


def server_db(name):
    """A throwaway database on the ``mysql``/``postgresql`` test server
    (skips when there is none), at alembic head."""
    db = database.ThrowawayDatabase(servers.require(name))
    db.setUp()
    migration.upgrade('head', engine=db.engine)
    return db


free_port = processes.free_port


class Processes(processes.ProcessGroup):
    environ = {'PYTHONWARNINGS': 'ignore'}

    def __init__(self, tmp_path, db_url, fake_nova=None, extra=(),
                 heartbeat_interval=1, heartbeat_timeout=3):
        lines = ['rpc_response_timeout = 20', 'debug = false',
                 '[conductor]',
                 'heartbeat_interval = %d' % heartbeat_interval,
                 'heartbeat_timeout = %d' % heartbeat_timeout]
        lines += list(fake_nova.conf_lines()) if fake_nova else []
        super().__init__(tmp_path,
                         sa.create_engine(db_url, poolclass=sa.pool.NullPool),
                         db_url, lines + list(extra))

    def conductor(self, name, host=None, wait=True):
        proc = self.spawn(name, ['-c', _CONDUCTOR], host or name)
        if wait:
            self.wait_log(name, 'cyborg-conductor running as')
        return proc

    def agent(self, delay=0.0, host='agent-1'):
        self.spawn('agent', ['-m', 'cyborg.tests.functional.bind.procs',
                             'agent', '--root', str(self.root),
                             '--delay', str(delay)], host)
        self.wait_log('agent', 'agent ready')
