"""Paged lists through the API (microversion 2.4), on 10,000 ARQs.

Following the ``next`` links visits every ARQ exactly once, in both
directions, each page costing the same number of SQL statements; ``limit``
is capped at ``[api] max_limit``; below 2.4 the same list is one unpaged
body, as before.
"""
import datetime
from urllib import parse
import uuid

import pytest
import sqlalchemy as sa

from cyborg.conf import CONF
from cyborg.db import models
from cyborg.tests.functional.api import dp_arq_client

ARQS = '/v2/accelerator_requests'
ROWS = 10000
V24 = {'OpenStack-API-Version': 'accelerator 2.4'}
conductor = pytest.fixture(scope='module')(dp_arq_client.shared_conductor)


@pytest.fixture(scope='module')
def api(conductor):
    service = dp_arq_client.Service(shared_conductor=True)
    client = service.start()
    client.service = service
    statements = []

    def record(conn, cursor, statement, *args):
        if statement != 'BEGIN':    # pysqlite's explicit transactions
            statements.append(statement)

    engine = service.database.engine
    _seed(engine)
    sa.event.listen(engine, 'before_cursor_execute', record)
    client.statements = statements
    yield client
    sa.event.remove(engine, 'before_cursor_execute', record)
    service.stop()


def _seed(engine):
    """10,000 ARQs of two projects; created_at with ties, a few NULL."""
    start = datetime.datetime(2026, 3, 2, 9, 0, 0)
    with engine.begin() as conn:
        profile_id = conn.execute(sa.insert(models.DeviceProfile).values(
            uuid=str(uuid.uuid4()), name='dp-paging',
            profile_json='{"groups": [{"resources:GPU": "1"}]}',
            created_at=start)).inserted_primary_key[0]
        conn.execute(sa.insert(models.ExtArq), [{
            'uuid': str(uuid.uuid4()),
            'project_id': (dp_arq_client.PROJECT if i % 2 else
                           'another-project'),
            'state': 'BindFailed' if i % 5 == 0 else 'Initial',
            'substate': 'Initial', 'device_profile_id': profile_id,
            'device_profile_group_id': 0,
            'state_reason': 'failed %d' % i if i % 5 == 0 else None,
            'created_at': (None if i % 211 == 0 else
                           start + datetime.timedelta(seconds=i // 7)),
        } for i in range(ROWS)])


def _expected(api, sort_key, sort_dir):
    arq = models.ExtArq.__table__
    direction = sa.desc if sort_dir == 'desc' else sa.asc
    with api.service.database.engine.connect() as conn:
        return list(conn.scalars(sa.select(arq.c.uuid).order_by(
            direction(arq.c[sort_key]), direction(arq.c.id))))


def _walk(api, path):
    """Follow next links from ``path``: (uuids, statements per page)."""
    seen, per_page = [], []
    while path is not None:
        del api.statements[:]
        resp = api.request('GET', path, headers=V24)
        assert resp.status_code == 200, resp.text
        per_page.append(len(api.statements))
        body = resp.json()
        seen.extend(arq['uuid'] for arq in body['arqs'])
        links = body.get('arqs_links')
        path = None
        if links:
            assert [link['rel'] for link in links] == ['next']
            url = parse.urlsplit(links[0]['href'])
            assert url.path.endswith(ARQS)
            path = ARQS + '?' + url.query
    return seen, per_page


@pytest.mark.parametrize('sort_key', ['created_at', 'uuid'])
@pytest.mark.parametrize('sort_dir', ['asc', 'desc'])
def test_next_links_visit_every_row_once(api, sort_key, sort_dir):
    seen, per_page = _walk(api, '%s?sort_key=%s&sort_dir=%s'
                           % (ARQS, sort_key, sort_dir))
    assert len(seen) == len(set(seen)) == ROWS
    assert seen == _expected(api, sort_key, sort_dir)
    # [api] max_limit (1000) rows a page; the first page has no marker.
    assert len(per_page) == ROWS // 1000
    assert set(per_page[1:]) == {per_page[0] + 1}


def test_pages_cost_the_same_with_filters(api):
    seen, per_page = _walk(api, ARQS + '?state=BindFailed&limit=300')
    assert len(seen) == len(set(seen)) == ROWS // 5
    assert len(per_page) == 7
    assert set(per_page[1:]) == {per_page[0] + 1}


def test_a_member_pages_through_its_own_project(api):
    seen = []
    path = ARQS + '?limit=1000'
    while path:
        resp = api.request('GET', path, persona='member', headers=V24)
        assert resp.status_code == 200
        body = resp.json()
        assert {a['project_id'] for a in body['arqs']} == {
            dp_arq_client.PROJECT}
        seen.extend(a['uuid'] for a in body['arqs'])
        links = body.get('arqs_links')
        path = links and ARQS + '?' + parse.urlsplit(links[0]['href']).query
    assert len(seen) == len(set(seen)) == ROWS // 2


def test_limit_is_capped_at_max_limit(api):
    CONF.set_override('max_limit', 250, group='api')
    try:
        body = api.request('GET', ARQS + '?limit=5000',
                           headers=V24).json()
        assert len(body['arqs']) == 250
        assert 'limit=5000' in body['arqs_links'][0]['href']
        body = api.request('GET', ARQS, headers=V24).json()
        assert len(body['arqs']) == 250
    finally:
        CONF.clear_override('max_limit', group='api')


def test_state_reason_only_at_24(api):
    body = api.request('GET', ARQS + '?state=BindFailed&limit=1',
                       headers=V24).json()
    assert body['arqs'][0]['state_reason'].startswith('failed ')
    resp = api.request('GET', ARQS + '?limit=1')
    assert resp.status_code == 400


@pytest.mark.parametrize('version', ['2.0', '2.3'])
def test_below_24_one_unpaged_body(api, version):
    resp = api.request('GET', ARQS, headers={
        'OpenStack-API-Version': 'accelerator ' + version})
    assert resp.status_code == 200
    body = resp.json()
    assert list(body) == ['arqs']
    assert len(body['arqs']) == ROWS
    assert [a['uuid'] for a in body['arqs']] == _expected(api, 'id', 'asc')
    assert all('state_reason' not in a for a in body['arqs'])
