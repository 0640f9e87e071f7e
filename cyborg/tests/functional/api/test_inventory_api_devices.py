"""GET /v2/devices[/{uuid}] against the samples (api.md §10.1-§10.3)."""
import pytest

from cyborg.tests.functional.api import inventory_fixtures as inv

FPGA, GPU = inv.FPGA, inv.GPU


@pytest.fixture
def api():
    yield from inv.serve()


def uuids(resp):
    assert resp.status_int == 200, resp.body
    return [d['uuid'] for d in resp.data['devices']]


def test_list_matches_sample_2_0(api):
    resp = api.get('/v2/devices')
    assert resp.status_int == 200
    assert resp.data == inv.sample('device-list-response-2.0.json')
    assert list(resp.data) == ['devices']
    assert 'status' not in resp.data['devices'][0]
    assert resp.headers['OpenStack-API-Version'] == 'accelerator 2.0'


def test_list_and_show_match_samples_2_3(api):
    session = api.db.session()
    inv.mark_gpu_maintaining(session)
    session.close()
    resp = api.get('/v2/devices', version='2.3')
    assert resp.data == inv.sample('device-list-response-2.3.json')
    resp = api.get('/v2/devices/' + GPU, version='latest')
    assert resp.status_int == 200
    assert resp.data == inv.sample('device-get-response-2.3.json')
    # key order of §10.1
    assert list(resp.data) == [
        'uuid', 'type', 'vendor', 'model', 'std_board_info',
        'vendor_board_info', 'hostname', 'status', 'links', 'created_at',
        'updated_at']


@pytest.mark.parametrize('version', ['2.0', '2.1', '2.2'])
def test_status_absent_below_2_3(api, version):
    resp = api.get('/v2/devices/' + FPGA, version=version)
    assert resp.status_int == 200
    assert 'status' not in resp.data


@pytest.mark.parametrize('query, expected', [
    ('type=GPU', [GPU]),
    ('type=FPGA', [FPGA]),
    ('type=gpu', []),                       # case-sensitive
    ('vendor=10de', [GPU]),
    ('vendor=0x8086', [FPGA]),
    ('hostname=compute-11', [FPGA]),
    ('hostname=compute-99', []),
    ('type=GPU&vendor=10de&hostname=compute-07', [GPU]),
    ('type=GPU&hostname=compute-11', []),
    ('type=', [FPGA, GPU]),                 # empty value: no filter
])
def test_exact_filters(api, query, expected):
    resp = api.get('/v2/devices?' + query)
    assert uuids(resp) == expected
    for device in resp.data['devices']:
        for pair in query.split('&'):
            name, value = pair.split('=')
            if value:
                assert device[name] == value


def _newer_fpga(api):
    """Make the FPGA the newest device (created after the GPU)."""
    from cyborg.db import models
    session = api.db.session()
    row = session.query(models.Device).filter_by(uuid=FPGA).one()
    row.created_at = inv.ts('2026-02-21T00:00:00')
    session.commit()
    session.close()


def test_default_order_is_id_then_created_at_desc_with_filters(
        api):
    _newer_fpga(api)
    assert uuids(api.get('/v2/devices')) == [FPGA, GPU]
    # any filter: created_at descending, ties by id descending
    resp = api.get(
        '/v2/devices?filters.field=board&filters.value=x')
    assert uuids(resp) == [FPGA, GPU]
    session = api.db.session()
    inv.mark_gpu_maintaining(session)
    session.close()
    resp = api.get('/v2/devices?filters.field=marker'
                             '&filters.value=anything')
    assert uuids(resp) == [FPGA, GPU]


def test_ties_by_id_descending(api):
    resp = api.get('/v2/devices?filters.field=name'
                             '&filters.value=ignored')
    assert uuids(resp) == [GPU, FPGA]     # same created_at


@pytest.mark.parametrize('query, expected', [
    ('filters.field=sort_key&filters.value=hostname', [FPGA, GPU]),
    ('filters.field=sort_key&filters.value=hostname'
     '&filters.field=sort_dir&filters.value=asc', [GPU, FPGA]),
    ('filters.field=sort_key&filters.value=vendor'
     '&filters.field=sort_dir&filters.value=asc', [FPGA, GPU]),
    ('filters.field=sort_key&filters.value=id', [GPU, FPGA]),
    ('filters.field=sort_dir&filters.value=asc', [FPGA, GPU]),
    ('filters.field=limit&filters.value=1', [GPU]),
    ('filters.field=limit&filters.value=0', []),
    ('filters.field=limit&filters.value=5', [GPU, FPGA]),
    ('filters[0].field=limit&filters[0].value=1'
     '&filters[1].field=sort_dir&filters[1].value=asc', [FPGA]),
    ('filters[1].value=asc&filters[1].field=sort_dir', [FPGA, GPU]),
    ('type=GPU&filters.field=limit&filters.value=1', [GPU]),
])
def test_legacy_filter_list(api, query, expected):
    assert uuids(api.get('/v2/devices?' + query)) == expected


@pytest.mark.parametrize('query, message', [
    ('filters.field=color&filters.value=red',
     "Invalid input for field/attribute field. Value: 'color'. Value "
     "should be one of: "),
    ('filters.field=sort_key&filters.value=colour',
     'The sort_key value "colour" is an invalid field for sorting'),
    ('filters.field=sort_key&filters.value=deployables',
     'The sort_key value "deployables" is an invalid field for sorting'),
    ('filters.field=sort_dir&filters.value=up',
     "Invalid input for field/attribute sort_dir. Value: 'up'."),
    ('filters.field=limit&filters.value=ten',
     "Invalid input for field/attribute limit. Value: 'ten'."),
    ('filters.field=limit&filters.value=-1',
     "Invalid input for field/attribute limit. Value: '-1'."),
    ('filters.field=limit', 'Mandatory field missing.'),
    ('filters[0].value=1', 'Mandatory field missing.'),
    ('model=x', 'Unknown argument: "model"'),
    ('filters=x', 'Unknown argument: "filters"'),
    ('filters.other=x', 'Unknown argument: "filters.other"'),
])
def test_bad_queries_are_400(api, query, message):
    resp = api.get('/v2/devices?' + query)
    assert resp.status_int == 400, resp.body
    assert message in inv.fault(resp)


def test_show_unknown_or_malformed_is_404(api):
    for value in ('4bd64e1f-7d2a-4b3a-9d54-3b8c8f0d6b7e', 'not-a-uuid',
                  GPU.replace('-', '')):
        resp = api.get('/v2/devices/' + value)
        assert resp.status_int == 404
        assert inv.fault(resp) == 'Device not found with uuid=' + value


def test_show_rejects_query_arguments(api):
    resp = api.get('/v2/devices/%s?x=1' % GPU)
    assert resp.status_int == 400


@pytest.mark.parametrize('method, path, status', [
    ('POST', '/v2/devices', 405),
    ('PUT', '/v2/devices', 405),
    ('DELETE', '/v2/devices', 405),
    ('PATCH', '/v2/devices', 404),
    ('POST', '/v2/devices/' + GPU, 405),
    ('PATCH', '/v2/devices/' + GPU, 405),
    ('DELETE', '/v2/devices/' + GPU, 405),
    ('GET', '/v2/devices/%s/enable' % GPU, 404),
    ('GET', '/v2/devices/%s/disable' % GPU, 404),
    ('PUT', '/v2/devices/%s/disable' % GPU, 405),
    ('GET', '/v2/devices/%s/reboot' % GPU, 404),
])
def test_method_matrix(api, method, path, status):
    assert api.request(method, path).status_int == status


def test_paths_without_v2_and_with_json_suffix(api):
    assert uuids(api.get('/devices.json')) == [FPGA, GPU]
    resp = api.get('/v2/devices/%s.json' % GPU)
    assert resp.data['uuid'] == GPU
