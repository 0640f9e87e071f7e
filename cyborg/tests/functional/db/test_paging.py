"""Keyset paging (microversion 2.4 lists) on every backend.

10,000 device profiles whose ``created_at`` has many ties and some NULLs
(rows written outside the ORM have none): paged in both directions, by
``created_at`` (nullable, with ties) and by ``name`` (unique), every row is
visited exactly once, in the order one unpaged ORDER BY gives, and every
page costs the same number of statements.
"""
import datetime
import uuid

import pytest
import sqlalchemy as sa

from cyborg import context as cyborg_context
from cyborg.api.schemas import paging as paging_schema
from cyborg.db import models
from cyborg.db import session as db_session
from cyborg.db.queries import arqs
from cyborg.db.queries import device_profiles
from cyborg.db.queries import paging

ROWS = 10000
PAGE = 1000
_EPOCH = datetime.datetime(2026, 1, 1)


def _created_at(i):
    if i % 97 == 0:
        return None                 # no timestamp at all
    return _EPOCH + datetime.timedelta(seconds=i % 13)   # many ties


def _small_created_at(i):
    return None if i % 5 < 2 else _EPOCH + datetime.timedelta(seconds=i % 3)


@pytest.fixture
def profiles(empty_db, request):
    count, created_at = getattr(request, 'param', (ROWS, _created_at))
    models.DeviceProfile.__table__.create(empty_db)
    rows = [{'uuid': str(uuid.uuid4()), 'name': 'dp-%05d' % (count - i),
             'profile_json': '{"groups": []}', 'created_at': created_at(i)}
            for i in range(count)]
    with empty_db.begin() as conn:
        conn.execute(sa.insert(models.DeviceProfile.__table__), rows)
    undo = db_session.use_engine(empty_db)
    statements = []

    def record(conn, cursor, statement, *args):
        if statement != 'BEGIN':    # pysqlite's explicit transactions
            statements.append(statement)

    sa.event.listen(empty_db, 'before_cursor_execute', record)
    yield empty_db, statements
    sa.event.remove(empty_db, 'before_cursor_execute', record)
    undo()


def _expected(engine, sort_key, sort_dir):
    """The order of one unpaged query (the database's NULL order)."""
    table = models.DeviceProfile.__table__
    direction = sa.desc if sort_dir == 'desc' else sa.asc
    with engine.connect() as conn:
        return list(conn.scalars(
            sa.select(table.c.uuid).order_by(direction(table.c[sort_key]),
                                             direction(table.c.id))))


@pytest.mark.parametrize('sort_key', ['created_at', 'name'])
@pytest.mark.parametrize('sort_dir', ['asc', 'desc'])
def test_every_row_once_with_constant_statements(profiles, sort_key,
                                                 sort_dir):
    engine, statements = profiles
    context = cyborg_context.get_admin_context()
    seen, per_page, marker = [], [], None
    while True:
        del statements[:]
        page = paging_schema.Page(limit=PAGE, marker=marker,
                                  sort_key=sort_key, sort_dir=sort_dir)
        rows, more = device_profiles.list_profiles(context, page=page)
        per_page.append(len(statements))
        seen.extend(row.uuid for row in rows)
        if not more:
            break
        marker = rows[-1].uuid
    assert len(seen) == ROWS
    assert len(set(seen)) == ROWS
    assert seen == _expected(engine, sort_key, sort_dir)
    assert len(per_page) == ROWS // PAGE
    # The first page has no marker to look up; every other page costs
    # the same: the marker, the page.
    assert per_page[0] == 1
    assert set(per_page[1:]) == {2}


def _walk(limit, sort_dir):
    context = cyborg_context.get_admin_context()
    seen, marker, more = [], None, True
    while more:
        rows, more = device_profiles.list_profiles(
            context, page=paging_schema.Page(
                limit=limit, marker=marker, sort_dir=sort_dir))
        seen.extend(row.uuid for row in rows)
        marker = rows[-1].uuid if rows else None
    return seen


@pytest.mark.parametrize('profiles', [(40, _small_created_at)],
                         indirect=True)
@pytest.mark.parametrize('sort_dir', ['asc', 'desc'])
def test_small_pages_start_and_end_in_null_runs(profiles, sort_dir):
    """Page boundaries on NULL rows, on rows tied with NULLs around them,
    and on the step from NULLs to values (either way round)."""
    engine, _ = profiles
    for limit in (1, 3):
        seen = _walk(limit, sort_dir)
        assert seen == _expected(engine, 'created_at', sort_dir), limit


def test_marker_not_found(profiles):
    context = cyborg_context.get_admin_context()
    with pytest.raises(paging.MarkerNotFound):
        device_profiles.list_profiles(context, page=paging_schema.Page(
            limit=10, marker=str(uuid.uuid4())))


def test_exact_page_end_has_no_more(profiles):
    context = cyborg_context.get_admin_context()
    rows, more = device_profiles.list_profiles(
        context, page=paging_schema.Page(limit=ROWS))
    assert (len(rows), more) == (ROWS, False)
    rows, more = device_profiles.list_profiles(
        context, page=paging_schema.Page(limit=ROWS - 1))
    assert (len(rows), more) == (ROWS - 1, True)


@pytest.fixture
def arq_rows(empty_db):
    """2,000 ARQs of two projects (the ARQ list joins its profile and
    attach handle), created_at with ties and NULLs."""
    models.Base.metadata.create_all(empty_db)
    with empty_db.begin() as conn:
        profile_id = conn.execute(sa.insert(models.DeviceProfile).values(
            uuid=str(uuid.uuid4()), name='dp', profile_json='{}',
            created_at=_EPOCH)).inserted_primary_key[0]
        conn.execute(sa.insert(models.ExtArq), [{
            'uuid': str(uuid.uuid4()), 'state': 'Initial',
            'substate': 'Initial', 'device_profile_id': profile_id,
            'device_profile_group_id': 0,
            'project_id': 'p%d' % (i % 2), 'created_at': _created_at(i),
            'hostname': 'h%d' % (i % 3)} for i in range(2000)])
    undo = db_session.use_engine(empty_db)
    yield empty_db
    undo()


@pytest.mark.parametrize('sort_dir', ['asc', 'desc'])
def test_arq_pages_scoped_and_filtered(arq_rows, sort_dir):
    member = cyborg_context.RequestContext(project_id='p1',
                                           roles=['member'])
    seen, marker, more = [], None, True
    while more:
        rows, more = arqs.list_arqs(
            member, exact={'hostname': 'h0'}, page=paging_schema.Page(
                limit=97, marker=marker, sort_dir=sort_dir))
        seen.extend(row['uuid'] for row in rows)
        marker = rows[-1]['uuid'] if rows else None
    table = models.ExtArq.__table__
    direction = sa.desc if sort_dir == 'desc' else sa.asc
    with arq_rows.connect() as conn:
        expected = list(conn.scalars(
            sa.select(table.c.uuid)
            .where(table.c.project_id == 'p1', table.c.hostname == 'h0')
            .order_by(direction(table.c.created_at), direction(table.c.id))))
    assert len(expected) == 333
    assert seen == expected
    # Another project's ARQ is no marker for this member.
    with arq_rows.connect() as conn:
        foreign = conn.scalar(sa.select(table.c.uuid).where(
            table.c.project_id == 'p0').limit(1))
    with pytest.raises(paging.MarkerNotFound):
        arqs.list_arqs(member, page=paging_schema.Page(limit=5,
                                                       marker=foreign))
