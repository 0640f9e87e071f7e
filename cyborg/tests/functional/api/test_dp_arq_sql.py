"""ARQ reads cost a constant number of SQL statements, and filters run in
SQL (decision D3.8)."""
import json
import uuid

import pytest
import sqlalchemy as sa

from cyborg.db import models
from cyborg.tests.functional.api import dp_arq_client
from cyborg.tests.functional.api import gabbi_fixtures

ARQS = '/v2/accelerator_requests'
conductor = pytest.fixture(scope='module')(dp_arq_client.shared_conductor)


@pytest.fixture
def api(conductor):
    service = dp_arq_client.Service(shared_conductor=True)
    client = service.start()
    client.service = service
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    engine = service.database.engine
    sa.event.listen(engine, 'before_cursor_execute', record)
    client.statements = statements
    yield client
    sa.event.remove(engine, 'before_cursor_execute', record)
    service.stop()


def _seed(api, count, instance=None):
    """``count`` ARQs, every other one Bound to a PCI handle."""
    session = api.service.database.session()
    try:
        gabbi_fixtures.add_inventory(session, inventory=[
            (str(uuid.uuid4()), str(uuid.uuid4()), '%02x' % i)
            for i in range(count)])
        profile = models.DeviceProfile(
            uuid=str(uuid.uuid4()), name='dp-%d' % count,
            profile_json=json.dumps({'groups': [{'resources:GPU': '1'}]}))
        session.add(profile)
        session.flush()
        handles = session.scalars(sa.select(models.AttachHandle).order_by(
            models.AttachHandle.id)).all()[-count:]
        for i in range(count):
            bound = i % 2 == 0
            session.add(models.ExtArq(
                uuid=str(uuid.uuid4()), project_id=dp_arq_client.PROJECT,
                state='Bound' if bound else 'Initial',
                device_profile_id=profile.id, device_profile_group_id=0,
                instance_uuid=instance if bound else None,
                attach_handle_id=handles[i].id if bound else None))
        session.commit()
    finally:
        session.close()


def _list_statements(api, query=''):
    del api.statements[:]
    resp = api.request('GET', ARQS + query, persona='member')
    assert resp.status_code == 200
    return resp.json()['arqs'], list(api.statements)


@pytest.mark.parametrize('query', ['', '?bind_state=resolved'])
def test_list_costs_the_same_for_10_and_200(api, query):
    _seed(api, 10)
    arqs, small = _list_statements(api, query)
    assert len(arqs) == (10 if not query else 5)
    _seed(api, 190)
    arqs, large = _list_statements(api, query)
    assert len(arqs) == (200 if not query else 100)
    assert len(small) == len(large)
    assert all(a['attach_handle_type'] == 'PCI'
               for a in arqs if a['state'] == 'Bound')


def test_instance_filter_runs_in_sql(api):
    instance = str(uuid.uuid4())
    _seed(api, 20, instance=instance)
    arqs, statements = _list_statements(api, '?instance=' + instance)
    assert len(arqs) == 10
    selects = [s for s in statements if 'extended_accelerator_requests' in s]
    assert selects
    assert all('instance_uuid =' in s for s in selects)
