"""Schema migrations: our own alembic history, driven from code.

History (``cyborg/db/alembic/versions``):

* ``b47c8f2d1e3a`` baseline = the upstream Cyborg 17.0.0 head schema (same
  revision id, so an upstream 17.0.0 database just continues);
* ``c3a1d5e7f902`` our additions (decisions D3).
* ``e2b7c4d9a1f3`` the conductor cluster: conductors, periodic_tasks.
* ``a9d3f61c5e28`` the outbox of Nova events: nova_events.
* ``f5a9c2e4b6d8`` ``(created_at, id)`` indexes for the paged lists of 2.4.

Upstream databases at master ``6c77bd6afea5`` (or the two 17.0.0
revisions before ``b47c8f2d1e3a``) are adopted by :func:`upgrade`: the
Δ17 changes are applied in place, the database is stamped with the
baseline and the history continues from there.

Every function takes an optional ``engine`` (or ``url``); by default the
database is ``CONF.database.connection``.
"""
import contextlib
import os

from alembic import command
from alembic import config as alembic_config
from alembic.migration import MigrationContext
from alembic.operations import Operations
from alembic.script import ScriptDirectory
from oslo_db.sqlalchemy import engines
import sqlalchemy as sa

from cyborg.conf import CONF
from cyborg.db import models

ALEMBIC_DIR = os.path.join(os.path.dirname(__file__), 'alembic')
BASELINE = 'b47c8f2d1e3a'
UPSTREAM_MASTER = '6c77bd6afea5'
# Upstream revisions that lack (part of) the Δ17 changes and that we adopt.
ADOPTABLE = (UPSTREAM_MASTER, '9625668549b5', 'a35b4295a0e5')
# Older upstream revisions: upgrade with upstream to 6c77bd6afea5 first.
UPSTREAM_OLDER = (
    'f50980397351', 'd6f033d8fa5b', 'ede4e3f1a232', '589ff20545b7',
    'c1b5abada09c', '57539722e5cf', '22fb1af2d51e', '7b696fd94949',
    '62bcf2610c5d', '7a4fd0fc3f8c', '60d8ac91fd20', '7e6f1f107f2b',
    '899cead40bc9', '4cc1d79978fc')
_DELTA17_DEVICE_TYPES = ('MDEV', 'PCI', 'NVME')


class MigrationError(Exception):
    """The database cannot be migrated as asked."""


@contextlib.contextmanager
def engine_scope(engine=None, url=None, conf=CONF):
    """``engine`` itself, or a disposable engine on ``url`` (default:
    ``conf.database.connection``) configured like the service's."""
    if engine is not None:
        yield engine
        return
    db = conf.database
    own = engines.create_engine(
        url or db.connection, sqlite_fk=True,
        mysql_sql_mode=db.mysql_sql_mode,
        max_retries=db.max_retries, retry_interval=db.retry_interval)
    try:
        yield own
    finally:
        own.dispose()


def alembic_config_for(connection=None):
    """A programmatic alembic Config for our history (no ini file)."""
    cfg = alembic_config.Config()
    cfg.set_main_option('script_location', ALEMBIC_DIR)
    if connection is not None:
        cfg.attributes['connection'] = connection
    return cfg


def _script():
    return ScriptDirectory.from_config(alembic_config_for())


def head():
    """The revision id at the head of our history."""
    return _script().get_current_head()


def _run(command_fn, engine, *args, **kwargs):
    with engine.connect() as conn:
        command_fn(alembic_config_for(conn), *args, **kwargs)


def _current(conn):
    heads = MigrationContext.configure(conn).get_current_heads()
    return ','.join(heads) if heads else None


def version(engine=None, url=None):
    """The current revision, or None when the database is unmanaged."""
    with engine_scope(engine, url) as eng, eng.connect() as conn:
        return _current(conn)


def upgrade(revision='head', engine=None, url=None):
    """Migrate to ``revision``, adopting an upstream database if needed."""
    with engine_scope(engine, url) as eng:
        with eng.connect() as conn:
            current = _current(conn)
        if current in UPSTREAM_OLDER:
            raise MigrationError(
                f'The database is at upstream revision {current}; upgrade '
                f'it with upstream Cyborg to {UPSTREAM_MASTER} first.')
        if current in ADOPTABLE:
            adopt_upstream(eng)
        elif current is not None and _unknown(current):
            raise MigrationError(f'Unknown database revision {current}.')
        _run(command.upgrade, eng, revision)


def _unknown(current):
    known = {script.revision for script in _script().walk_revisions()}
    return any(rev not in known for rev in current.split(','))


def adopt_upstream(engine):
    """Bring an upstream database at ``6c77bd6afea5`` (or the first 17.0.0
    revisions) to the 17.0.0 schema and stamp it with the baseline.

    The Δ17 changes: device types MDEV, PCI, NVME; ``devices.device_state``.
    """
    with engine.begin() as conn:
        ops = Operations(MigrationContext.configure(conn))
        dialect = conn.dialect.name
        if dialect == 'postgresql':
            for value in _DELTA17_DEVICE_TYPES:
                conn.exec_driver_sql(
                    f"ALTER TYPE device_type ADD VALUE IF NOT EXISTS "
                    f"'{value}'")
        elif dialect == 'mysql':
            old = [t for t in models.DEVICE_TYPES
                   if t not in _DELTA17_DEVICE_TYPES]
            ops.alter_column(
                'devices', 'type', existing_nullable=False,
                existing_type=sa.Enum(*old, name='device_type'),
                type_=sa.Enum(*models.DEVICE_TYPES, name='device_type'))
        # SQLite stores the enum as VARCHAR(6) either way: nothing to do.
        columns = {c['name'] for c in sa.inspect(conn).get_columns('devices')}
        if 'device_state' not in columns:
            state_type = sa.Enum(*models.DEVICE_STATES, name='device_state')
            state_type.create(conn, checkfirst=True)
            ops.add_column('devices', sa.Column('device_state', state_type,
                                                nullable=True))
        conn.execute(sa.text('UPDATE alembic_version SET version_num = :v'),
                     {'v': BASELINE})


def stamp(revision='head', engine=None, url=None):
    """Record ``revision`` without running any migration."""
    with engine_scope(engine, url) as eng:
        _run(command.stamp, eng, revision)


def create_schema(engine=None, url=None):
    """Create the tables from the models and stamp head.

    For new, empty databases only: refuses a database that is already
    versioned.
    """
    with engine_scope(engine, url) as eng:
        current = version(engine=eng)
        if current is not None:
            raise MigrationError(
                f'The database is already versioned ({current}); use '
                f'"upgrade" instead.')
        models.Base.metadata.create_all(eng)
        _run(command.stamp, eng, 'head')


def revision(message=None, autogenerate=False, engine=None, url=None):
    """Write a new migration script (developer tool).

    With ``autogenerate`` the script holds the differences between the
    models and the database, which must be at head.
    """
    with engine_scope(engine, url) as eng:
        _run(command.revision, eng, message=message,
             autogenerate=autogenerate)
