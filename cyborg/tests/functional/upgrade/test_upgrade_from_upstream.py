"""Upgrade from upstream openstack-cyborg 17.0.0, on MySQL and PostgreSQL.

The database is upstream's own (schema and rows made by upstream's code,
see tools/upgrade/make_upstream_dump.py); ``cyborg-dbsync upgrade`` runs
as a process, then this project serves it: the API reads every row, the
agents' next reports (this project's agent for compute-01, an upstream
17.0.0 agent still running on compute-02 in a rolling upgrade) change
nothing, and the bound ARQs unbind and delete cleanly.
"""
import json

from oslo_config import cfg
import sqlalchemy as sa

from cyborg import context
from cyborg.accelerator.drivers import fake
from cyborg.agent import resource_tracker
from cyborg.conductor.inventory import report as inventory
from cyborg.db import migration
from cyborg.db import models
from cyborg.tests.functional.cmd import test_status
from cyborg.tests.functional.db import test_migrations
from cyborg.tests.functional.upgrade import conftest
from cyborg.tests.functional.upgrade import upstream

ARQS = '/v2/accelerator_requests'
TABLES = ('devices', 'controlpath_ids', 'deployables', 'attributes',
          'attach_handles', 'device_profiles',
          'extended_accelerator_requests')


def _rows(engine, table, *columns):
    table = models.Base.metadata.tables[table]
    with engine.connect() as conn:
        return conn.execute(sa.select(*(table.c[c] for c in columns))
                            .order_by(table.c.id)).all()


def _snapshot(engine):
    """Everything an upstream deployment identifies devices by."""
    return {
        'devices': _rows(engine, 'devices', 'id', 'uuid', 'hostname',
                         'type', 'vendor', 'model', 'std_board_info',
                         'vendor_board_info', 'status', 'device_state'),
        'cpids': _rows(engine, 'controlpath_ids', 'id', 'uuid',
                       'device_id', 'cpid_info'),
        'deployables': _rows(engine, 'deployables', 'id', 'uuid', 'name',
                             'rp_uuid', 'device_id', 'num_accelerators'),
        'attributes': _rows(engine, 'attributes', 'id', 'uuid',
                            'deployable_id', 'key', 'value'),
        'handles': _rows(engine, 'attach_handles', 'id', 'uuid',
                         'deployable_id', 'attach_info', 'in_use'),
    }


def _uuids(engine, table):
    return {r[0] for r in _rows(engine, table, 'uuid')}


# On PostgreSQL upstream 17.0.0 can only make its schema from its models
# (its migrations fail there, see tools/upgrade/upstream_create_schema.py),
# and upstream's models differ from upstream's migrations (which our
# baseline follows) in these constraints. None of them changes what the
# service does: parent_id/root_id are always NULL, device profile uuids
# are generated.
UPSTREAM_MODEL_DRIFT = {
    'postgresql': {
        ('add_fk', 'deployables', ('parent_id',), 'CASCADE'),
        ('add_fk', 'deployables', ('root_id',), 'CASCADE'),
        ('remove_fk', 'deployables', ('parent_id',), None),
        ('remove_fk', 'deployables', ('root_id',), None),
        ('add_constraint', 'device_profiles', ('name',), None),
        ('add_constraint', 'device_profiles', ('uuid',), None),
        ('remove_constraint', 'device_profiles', ('name',), None),
        ('remove_constraint', 'device_profiles', ('uuid', 'name'), None),
    },
    'mysql': set(),
}


def _described(diff):
    out = set()
    for op, item in diff:
        out.add((op, item.table.name, tuple(c.name for c in item.columns),
                 getattr(item, 'ondelete', None)))
    return out


def test_upgrade_reaches_head_with_every_row(restored, tmp_path):
    engine = restored.engine
    conf = test_status.write_config(tmp_path, restored.url)
    # Before: the status check names the upgrade.
    code, checks = test_status.status(conf)
    assert code == 2, checks
    assert 'cyborg-dbsync upgrade' in \
        checks[test_status.SCHEMA]['details']
    assert migration.version(engine=engine) == migration.BASELINE

    proc = conftest.dbsync(tmp_path, restored.url, 'upgrade')
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert migration.version(engine=engine) == migration.head()
    assert _described(test_migrations.schema_diff(engine)) == \
        UPSTREAM_MODEL_DRIFT[restored.backend]
    counts = {t: len(_rows(engine, t, 'id')) for t in TABLES}
    assert counts == {'devices': 3, 'controlpath_ids': 3, 'deployables': 3,
                      'attributes': 8, 'attach_handles': 22,
                      'device_profiles': 3,
                      'extended_accelerator_requests': 7}
    # Running it again is a no-op; the status check passes.
    again = conftest.dbsync(tmp_path, restored.url, 'upgrade')
    assert again.returncode == 0, again.stderr
    code, checks = test_status.status(conf)
    assert code == 0, checks


def test_api_serves_every_row(deployment):
    upgraded, api, _ = deployment
    engine, data = upgraded.engine, upgraded.data

    dps = api.request('GET', '/v2/device_profiles').json()['device_profiles']
    assert {d['uuid'] for d in dps} == _uuids(engine, 'device_profiles')
    by_name = {d['name']: d for d in dps}
    assert by_name['fpga-dp']['groups'] == [
        {'resources:FPGA': '1', 'trait:CUSTOM_FAKE_DEVICE': 'required'}]
    assert by_name['fpga-dp']['description'] == 'One fake FPGA function'
    assert len(by_name['gpu-dp']['groups']) == 2
    for dp in dps:
        one = api.request('GET', '/v2/device_profiles/%s' % dp['uuid'])
        assert one.status_code == 200, one.text
        assert one.json()['device_profile']['name'] == dp['name']

    arqs = api.request('GET', ARQS).json()['arqs']
    assert {a['uuid'] for a in arqs} == _uuids(
        engine, 'extended_accelerator_requests')
    states = {a['uuid']: a['state'] for a in arqs}
    for label, uuid in data['arqs'].items():
        assert states[uuid] == label.replace('Gpu', ''), label
    fake_rp = _rp(data, 'compute-01_FakeDevice')
    bound = api.request('GET', '%s/%s' % (ARQS, data['arqs']['Bound']))
    assert bound.status_code == 200, bound.text
    bound = bound.json()
    assert bound['hostname'] == 'compute-01'
    assert bound['device_rp_uuid'] == fake_rp
    assert bound['instance_uuid'] == '2b4ab5fc-8a46-4d6c-a3e4-1d2f3e4a5b60'
    assert bound['attach_handle_type'] == 'TEST_PCI'
    assert bound['attach_handle_info'] == {
        'domain': '0000', 'bus': '0c', 'device': '0', 'function': '1'}
    # The owner project (kept by upstream in project_id) sees its ARQs.
    owner = {'X-Project-Id': data['project_id']}
    mine = api.request('GET', ARQS, persona='member', headers=owner)
    assert {a['uuid'] for a in mine.json()['arqs']} == set(states)

    devices = api.request('GET', '/v2/devices').json()['devices']
    assert {d['uuid'] for d in devices} == _uuids(engine, 'devices')
    deps = api.request('GET', '/v2/deployables').json()['deployables']
    assert {d['uuid'] for d in deps} == _uuids(engine, 'deployables')
    assert {d['name']: d['rp_uuid'] for d in deps} == {
        p['name']: p['uuid'] for p in data['providers']}
    attrs = api.request('GET', '/v2/attributes').json()['attributes']
    assert {a['uuid'] for a in attrs} == _uuids(engine, 'attributes')


def _rp(data, name):
    return [p['uuid'] for p in data['providers'] if p['name'] == name][0]


def _our_agent_report(host, upstream_report):
    """This project's agent on ``host``: the fake driver for real, and the
    GPU as upstream's agent reported it (no GPU on the test machine)."""
    conf = cfg.ConfigOpts()
    conf.register_opt(cfg.StrOpt('host', default=host))
    conf([], project='cyborg', default_config_files=[],
         default_config_dirs=[])
    tracker = resource_tracker.ResourceTracker(
        [('fake_driver', fake.FakeDriver(conf=conf))])
    payload = tracker.report(agent={'host': host})
    gpus = [inventory._unwrap(d) for d in upstream_report
            if inventory._unwrap(d)['type'] == 'GPU']
    payload['drivers'].append({'name': 'nvidia_gpu_driver', 'status': 'ok',
                               'devices': gpus})
    return payload


def test_next_agent_reports_match_existing_devices(deployment):
    upgraded, _, placement = deployment
    engine, data = upgraded.engine, upgraded.data
    before = _snapshot(engine)
    tree = upstream.provider_tree(placement, data['compute_nodes'])
    assert set(tree) == {p['name'] for p in data['providers']}

    ours = _our_agent_report('compute-01', data['reports']['compute-01'])
    ctx = context.get_admin_context()
    first = inventory.report_data(ctx, 'compute-01', ours)
    # compute-02 still runs upstream's agent (rolling upgrade).
    second = inventory.report_data(
        ctx, 'compute-02', json.loads(json.dumps(
            data['reports']['compute-02'])))

    for summary in (first, second):
        assert not summary['added'] and not summary['removed'], summary
        assert not summary['placement_failures'], summary
    assert _snapshot(engine) == before
    assert upstream.provider_tree(placement, data['compute_nodes']) == tree


def test_bound_arqs_unbind_and_delete_cleanly(deployment):
    upgraded, api, _ = deployment
    engine, arqs = upgraded.engine, upgraded.data['arqs']
    in_use = {r[0] for r in _rows(engine, 'attach_handles', 'id', 'in_use')
              if r[1]}
    assert len(in_use) == 2

    resp = api.request('PATCH', ARQS, body={arqs['Bound']: [
        {'op': 'remove', 'path': '/hostname'},
        {'op': 'remove', 'path': '/device_rp_uuid'},
        {'op': 'remove', 'path': '/instance_uuid'}]}, service_token=True)
    assert resp.status_code == 202, resp.text
    unbound = api.request('GET', '%s/%s' % (ARQS, arqs['Bound'])).json()
    assert unbound['state'] == 'Unbound'
    assert unbound['hostname'] is None
    assert unbound['attach_handle_uuid'] is None
    assert not unbound['attach_handle_info']
    assert len([r for r in _rows(engine, 'attach_handles', 'id', 'in_use')
                if r[1]]) == 1
    resp = api.request('DELETE', '%s?arqs=%s' % (ARQS, arqs['Bound']),
                       service_token=True)
    assert resp.status_code == 204, resp.text
    # Nova (service token) unbinds then deletes; the other bound ARQ is
    # deleted while still bound, as when an instance is deleted.
    resp = api.request('DELETE', '%s?arqs=%s' % (ARQS, arqs['BoundGpu']),
                       service_token=True)
    assert resp.status_code == 204, resp.text

    for uuid in (arqs['Bound'], arqs['BoundGpu']):
        gone = api.request('GET', '%s/%s' % (ARQS, uuid))
        assert gone.status_code == 404
    assert not any(r[1] for r in _rows(engine, 'attach_handles', 'id',
                                       'in_use'))
    left = {a['uuid'] for a in api.request('GET', ARQS).json()['arqs']}
    assert left == {u for k, u in arqs.items()
                    if k not in ('Bound', 'BoundGpu')}
