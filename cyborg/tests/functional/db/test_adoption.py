"""Adopting upstream databases (internals.md §10.10, decisions D1).

An upstream master database (alembic ``6c77bd6afea5``) lacks the Δ17
changes: device types MDEV/PCI/NVME and ``devices.device_state``. It is
built here from our baseline minus those bits.
"""
import pytest
import sqlalchemy as sa

from cyborg.db import migration
from cyborg.tests.functional.db import test_migrations

UPSTREAM_TYPES = "'GPU','FPGA','AICHIP','QAT','NIC','SSD'"


def _make_upstream_master(engine):
    migration.upgrade(migration.BASELINE, engine=engine)
    with engine.begin() as conn:
        dialect = conn.dialect.name
        conn.execute(sa.text('ALTER TABLE devices DROP COLUMN device_state'))
        if dialect == 'mysql':
            conn.execute(sa.text(
                f'ALTER TABLE devices MODIFY type ENUM({UPSTREAM_TYPES}) '
                f'NOT NULL'))
        elif dialect == 'postgresql':
            conn.execute(sa.text('DROP TYPE device_state'))
            conn.execute(sa.text(
                'ALTER TYPE device_type RENAME TO device_type_17'))
            conn.execute(sa.text(
                f'CREATE TYPE device_type AS ENUM ({UPSTREAM_TYPES})'))
            conn.execute(sa.text(
                'ALTER TABLE devices ALTER COLUMN type TYPE device_type '
                'USING type::text::device_type'))
            conn.execute(sa.text('DROP TYPE device_type_17'))
        conn.execute(sa.text(
            f"UPDATE alembic_version SET version_num = "
            f"'{migration.UPSTREAM_MASTER}'"))
        conn.execute(sa.text(
            "INSERT INTO devices (uuid, type, vendor, model, hostname, "
            "status) VALUES ('d1', 'FPGA', '8086', 'pac', 'cn1', "
            "'enabled')"))


def test_upstream_master_is_adopted(empty_db):
    _make_upstream_master(empty_db)
    columns = {c['name'] for c in sa.inspect(empty_db).get_columns('devices')}
    assert 'device_state' not in columns
    assert migration.version(engine=empty_db) == '6c77bd6afea5'

    migration.upgrade(engine=empty_db)

    assert migration.version(engine=empty_db) == migration.head()
    assert test_migrations.schema_diff(empty_db) == []
    with empty_db.begin() as conn:
        row = conn.execute(sa.text(
            'SELECT uuid, type, device_state FROM devices')).one()
        assert tuple(row) == ('d1', 'FPGA', None)
        conn.execute(sa.text(
            "INSERT INTO devices (uuid, type, vendor, model, hostname, "
            "status, device_state) VALUES ('d2', 'NVME', '144d', 'ssd', "
            "'cn1', 'enabled', 'available')"))


def test_upstream_17_database_just_continues(sqlite_db):
    migration.upgrade(migration.BASELINE, engine=sqlite_db)
    migration.upgrade(engine=sqlite_db)
    assert migration.version(engine=sqlite_db) == migration.head()


@pytest.mark.parametrize('rev, message', [
    ('4cc1d79978fc', 'upgrade it with upstream Cyborg to 6c77bd6afea5'),
    ('0123456789ab', 'Unknown database revision 0123456789ab'),
])
def test_other_revisions_are_refused(sqlite_db, rev, message):
    migration.upgrade(migration.BASELINE, engine=sqlite_db)
    with sqlite_db.begin() as conn:
        conn.execute(sa.text('UPDATE alembic_version SET version_num = :v'),
                     {'v': rev})
    with pytest.raises(migration.MigrationError, match=message):
        migration.upgrade(engine=sqlite_db)
    assert migration.version(engine=sqlite_db) == rev
