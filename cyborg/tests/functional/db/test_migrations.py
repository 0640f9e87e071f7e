"""Migrations walked on every backend; models and migrations agree."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from oslo_db import exception as db_exc
import pytest
import sqlalchemy as sa

from cyborg.db import migration
from cyborg.db import models

REVISIONS = ('b47c8f2d1e3a', 'c3a1d5e7f902', 'e2b7c4d9a1f3',
             'a9d3f61c5e28', 'f5a9c2e4b6d8')


def schema_diff(engine, metadata=models.Base.metadata):
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={'compare_type': True})
        return compare_metadata(context, metadata)


def test_history_is_linear_and_known():
    assert migration.head() == REVISIONS[-1]
    script = migration._script()
    walked = [s.revision for s in script.walk_revisions('base', 'heads')]
    assert tuple(reversed(walked)) == REVISIONS


def test_walk_each_revision_to_head(empty_db):
    assert migration.version(engine=empty_db) is None
    for rev in REVISIONS:
        migration.upgrade(rev, engine=empty_db)
        assert migration.version(engine=empty_db) == rev
    tables = set(sa.inspect(empty_db).get_table_names())
    assert tables == set(models.Base.metadata.tables) | {'alembic_version'}
    # Running it again is a no-op.
    migration.upgrade(engine=empty_db)
    assert migration.version(engine=empty_db) == migration.head()


def test_migrations_match_models(empty_db):
    migration.upgrade(engine=empty_db)
    assert schema_diff(empty_db) == []


def test_compare_detects_drift(empty_db):
    """The comparison above is not vacuous on this backend."""
    migration.upgrade(engine=empty_db)
    with empty_db.begin() as conn:
        conn.execute(sa.text('DROP INDEX deployables_rp_uuid_idx'
                             + (' ON deployables'
                                if conn.dialect.name == 'mysql' else '')))
    diff = schema_diff(empty_db)
    assert [d[0] for d in diff] == ['add_index']
    assert diff[0][1].name == 'deployables_rp_uuid_idx'


def test_create_schema_matches_and_refuses_twice(empty_db):
    migration.create_schema(engine=empty_db)
    assert migration.version(engine=empty_db) == migration.head()
    assert schema_diff(empty_db) == []
    with pytest.raises(migration.MigrationError, match='already versioned'):
        migration.create_schema(engine=empty_db)


def _insert(conn, table, **values):
    cols = ', '.join(values)
    params = ', '.join(f':{k}' for k in values)
    return conn.execute(sa.text(
        f'INSERT INTO {table} ({cols}) VALUES ({params})'), values)


def _baseline_rows(conn):
    _insert(conn, 'devices', id=1, uuid='d1', type='GPU', vendor='10de',
            model='m', hostname='cn1', status='enabled')
    _insert(conn, 'controlpath_ids', id=1, uuid='c1', device_id=1,
            cpid_type='PCI', cpid_info='{}')
    _insert(conn, 'deployables', id=1, uuid='dep1', name='cn1_0000',
            num_accelerators=1, device_id=1)
    _insert(conn, 'attach_handles', id=1, uuid='ah1', deployable_id=1,
            cpid_id=1, in_use=True, attach_type='PCI', attach_info='{}')
    _insert(conn, 'device_profiles', id=1, uuid='p1', name='dp',
            profile_json='{"groups": []}')
    _insert(conn, 'extended_accelerator_requests', id=1, uuid='a1',
            state='Bound', device_profile_id=1, device_profile_group_id=0,
            attach_handle_id=1, deployable_id=1, substate='Initial')


def test_additions_keep_existing_rows(empty_db):
    migration.upgrade('b47c8f2d1e3a', engine=empty_db)
    with empty_db.begin() as conn:
        _baseline_rows(conn)
    migration.upgrade(engine=empty_db)
    with empty_db.begin() as conn:
        arq = conn.execute(sa.text(
            'SELECT state, attach_handle_id, state_reason '
            'FROM extended_accelerator_requests')).one()
        assert tuple(arq) == ('Bound', 1, None)
        assert conn.execute(sa.text(
            'SELECT pending_removal FROM deployables')).scalar() in (0, False)
        conn.execute(sa.text(
            "UPDATE extended_accelerator_requests SET state = "
            "'UnbindFailed', state_reason = 'release failed'"))
        _insert(conn, 'agents', host='agent-1', compute_node_name='cn1')
    with empty_db.connect() as conn:
        assert conn.execute(sa.text(
            'SELECT state FROM extended_accelerator_requests'
        )).scalar() == 'UnbindFailed'


def test_foreign_keys_survive_the_additions(empty_db):
    """The ARQ table is copied on SQLite: its constraints must remain."""
    migration.upgrade(engine=empty_db)
    fks = sa.inspect(empty_db).get_foreign_keys(
        'extended_accelerator_requests')
    assert {fk['referred_table'] for fk in fks} == {
        'device_profiles', 'attach_handles', 'deployables'}
    rejected = (sa.exc.IntegrityError, db_exc.DBReferenceError)
    with empty_db.connect() as conn, pytest.raises(rejected):
        _insert(conn, 'extended_accelerator_requests', uuid='a9',
                state='Initial', device_profile_id=42,
                device_profile_group_id=0, substate='Initial')
        conn.commit()


def _fk_actions(fks, dialect):
    """{(columns, referred table): ON DELETE}, spelled comparably.

    No clause and NO ACTION are the same; MySQL does not report RESTRICT,
    its default, so there all three read the same.
    """
    same = {None, 'NO ACTION'} | ({'RESTRICT'} if dialect == 'mysql'
                                  else set())
    actions = {}
    for fk in fks:
        action = (fk['options'].get('ondelete') or '').upper() or None
        key = (tuple(fk['constrained_columns']), fk['referred_table'])
        actions[key] = None if action in same else action
    return actions


def test_foreign_key_actions_match_models(empty_db):
    """compare_metadata ignores ON DELETE; check it here."""
    migration.upgrade(engine=empty_db)
    inspector = sa.inspect(empty_db)
    dialect = empty_db.dialect.name
    for table in models.Base.metadata.sorted_tables:
        expected = _fk_actions(
            [{'constrained_columns': [fk.parent.name],
              'referred_table': fk.column.table.name,
              'options': {'ondelete': fk.ondelete}}
             for fk in table.foreign_keys], dialect)
        found = _fk_actions(inspector.get_foreign_keys(table.name), dialect)
        assert found == expected, table.name


def test_mysql_tables_are_innodb_utf8(empty_db):
    if empty_db.dialect.name != 'mysql':
        pytest.skip('MySQL table options')
    migration.upgrade(engine=empty_db)
    with empty_db.connect() as conn:
        rows = conn.execute(sa.text(
            'SELECT table_name, engine, table_collation '
            'FROM information_schema.tables WHERE table_schema = DATABASE()'
        )).all()
    assert {r[0] for r in rows} >= set(models.Base.metadata.tables)
    for name, engine, collation in rows:
        if name == 'alembic_version':   # alembic's own, server defaults
            continue
        assert (engine, collation.split('_')[0]) in (
            ('InnoDB', 'utf8'), ('InnoDB', 'utf8mb3')), name
