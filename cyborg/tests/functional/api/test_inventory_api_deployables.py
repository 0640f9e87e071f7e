"""/v2/deployables against the samples (api.md §11; decision Q17)."""
import json

import pytest

from cyborg.conductor import devices as conductor_devices
from cyborg.db import models
from cyborg.tests.functional.api import inventory_fixtures as inv

DEP = inv.FPGA_DEP
PROGRAM = '/v2/deployables/%s/program' % DEP
IMAGE = 'f0718896-706d-45d9-9bf9-02a2d1b046ed'


@pytest.fixture
def api():
    yield from inv.serve()


def uuids(resp):
    assert resp.status_int == 200, resp.body
    return [d['uuid'] for d in resp.data['deployables']]


def test_list_and_show_match_samples(api):
    resp = api.get('/v2/deployables')
    assert resp.status_int == 200
    assert resp.data == inv.sample('deployable-list-response.json')
    assert list(resp.data) == ['deployables']
    item = resp.data['deployables'][0]
    assert isinstance(item['attributes_list'], str)
    assert json.loads(item['attributes_list'])[0] == {'rc': 'FPGA'}
    resp = api.get('/v2/deployables/' + DEP)
    assert resp.status_int == 200
    assert resp.data == inv.sample('deployable-get-response.json')
    assert list(resp.data) == [
        'uuid', 'parent_id', 'root_id', 'name', 'num_accelerators',
        'device_id', 'attributes_list', 'rp_uuid', 'driver_name',
        'bitstream_id', 'links', 'created_at', 'updated_at']


def test_attributes_list_empty_is_the_string(api):
    session = api.db.session()
    session.add(models.Deployable(
        uuid='0b0a3c4e-2f6f-4d4a-8b55-2f3b3a4c5d6e', name='bare',
        num_accelerators=2, device_id=2))
    session.commit()
    session.close()
    resp = api.get(
        '/v2/deployables/0b0a3c4e-2f6f-4d4a-8b55-2f3b3a4c5d6e')
    assert resp.data['attributes_list'] == '[]'
    assert resp.data['rp_uuid'] is None


@pytest.mark.parametrize('query, expected', [
    ('', [inv.FPGA_DEP, inv.GPU_DEP]),                 # storage order
    ('filters.field=name&filters.value=intel-fpga-dev.0', [inv.FPGA_DEP]),
    ('filters.field=name&filters.value=nothing', []),
    ('filters.field=board&filters.value=x', [inv.GPU_DEP, inv.FPGA_DEP]),
    ('filters.field=limit&filters.value=1', [inv.GPU_DEP]),
    ('filters[0].field=sort_dir&filters[0].value=asc',
     [inv.FPGA_DEP, inv.GPU_DEP]),
    ('filters.field=sort_key&filters.value=name'
     '&filters.field=sort_dir&filters.value=asc',
     [inv.GPU_DEP, inv.FPGA_DEP]),
])
def test_list_filters(api, query, expected):
    assert uuids(api.get('/v2/deployables?' + query)) == expected


@pytest.mark.parametrize('query, message', [
    ('type=GPU', 'Unknown argument: "type"'),
    ('name=x', 'Unknown argument: "name"'),
    ('filters.field=colour&filters.value=x',
     "Invalid input for field/attribute field. Value: 'colour'."),
    ('filters.field=sort_key&filters.value=hostname',
     'The sort_key value "hostname" is an invalid field for sorting'),
    ('filters.field=sort_dir&filters.value=sideways',
     "Invalid input for field/attribute sort_dir."),
    ('filters.field=limit&filters.value=many',
     "Invalid input for field/attribute limit."),
])
def test_list_bad_queries(api, query, message):
    resp = api.get('/v2/deployables?' + query)
    assert resp.status_int == 400
    assert message in inv.fault(resp)


def test_show_malformed_400_unknown_404(api):
    resp = api.get('/v2/deployables/not-a-uuid')
    assert resp.status_int == 400
    assert inv.fault(resp) == (
        "Invalid input for field/attribute uuid. Value: 'not-a-uuid'. "
        "unable to convert to uuid. Error: Expected a uuid but received "
        "not-a-uuid.")
    unknown = '4bd64e1f-7d2a-4b3a-9d54-3b8c8f0d6b7e'
    resp = api.get('/v2/deployables/' + unknown)
    assert resp.status_int == 404
    assert inv.fault(resp) == 'Deployable not found with uuid=' + unknown


@pytest.mark.parametrize('method, path, status', [
    ('POST', '/v2/deployables', 405),
    ('PATCH', '/v2/deployables', 404),
    ('DELETE', '/v2/deployables', 405),
    ('POST', '/v2/deployables/' + DEP, 405),
    ('PATCH', '/v2/deployables/' + DEP, 405),
    ('DELETE', '/v2/deployables/' + DEP, 405),
    ('GET', PROGRAM, 404),
    ('POST', PROGRAM, 405),
    ('PUT', PROGRAM, 405),
])
def test_method_matrix(api, method, path, status):
    assert api.request(method, path).status_int == status


# -- program (api.md §11.4) ---------------------------------------------------

def _op(**kw):
    op = {'op': 'replace', 'path': '/program',
          'value': [{'image_uuid': IMAGE}]}
    op.update(kw)
    return op


@pytest.mark.parametrize('body, message', [
    ({'op': 'replace'}, "Invalid input for field/attribute program_info. "
                        "Value: '{'op': 'replace'}'. Value not a valid list"),
    ([_op(op='move')], "Invalid input for field/attribute op. Value: "
                       "'move'. Value should be one of: add, replace, "
                       "remove"),
    ([_op(path='program')], "Invalid input for field/attribute path. "
                            "Value: 'program'. Value should match the "
                            "pattern ^(/[\\w-]+)+$"),
    ([_op(path='/uuid')], "'/uuid' is an internal attribute and can not "
                          "be updated"),
    ([_op(path='/name/x')], "'/name/x' is an internal attribute and can "
                            "not be updated"),
    ([{'op': 'add', 'path': '/program'}],
     "'add' and 'replace' operations need a value"),
    ([_op(), _op(op='bogus')], "Value: 'bogus'"),
    ([_op(value=[{'image_uuid': 'nope'}])],
     'Expected a uuid but received nope.'),
    ([], 'Invalid program request'),
    ([{'op': 'remove', 'path': '/program'}], 'Invalid program request'),
    ([_op(value='x')], 'Invalid program request'),
    ([_op(value=[{}])], 'Invalid program request'),
])
def test_program_validation(api, body, message):
    resp = api.patch(PROGRAM, body)
    assert resp.status_int == 400, resp.body
    assert message in inv.fault(resp)


def test_program_missing_body_and_bad_uuid(api):
    resp = api.patch(PROGRAM)
    assert resp.status_int == 400
    assert inv.fault(resp) == 'Missing argument: "program_info"'
    resp = api.patch('/v2/deployables/xyz/program', [_op()])
    assert resp.status_int == 400
    assert "field/attribute uuid. Value: 'xyz'" in inv.fault(resp)
    unknown = '4bd64e1f-7d2a-4b3a-9d54-3b8c8f0d6b7e'
    resp = api.patch('/v2/deployables/%s/program' % unknown,
                               [_op()])
    assert resp.status_int == 404


def test_program_without_an_agent_is_a_clear_500(api):
    request = inv.sample('deployable-program-request.json')
    resp = api.patch(PROGRAM, request)
    assert resp.status_int == 500
    assert inv.fault(resp) == conductor_devices.NO_AGENT


class _FakeAgentAPI:
    calls = []

    def __init__(self, result):
        self.result = result

    def fpga_program(self, context, host, controlpath, image, driver):
        self.calls.append((host, controlpath, image, driver))
        return self.result


def _with_agent(api, monkeypatch, result):
    session = api.db.session()
    session.add(models.Agent(host='agent-11', compute_node_name='compute-11'))
    session.commit()
    session.close()
    agent = _FakeAgentAPI(result)
    monkeypatch.setattr(conductor_devices, '_agent_api', lambda: agent)
    return agent


def test_program_through_an_agent_answers_the_sample(api,
                                                     monkeypatch):
    agent = _with_agent(api, monkeypatch, True)
    request = inv.sample('deployable-program-request.json')
    resp = api.patch(PROGRAM, request)
    assert resp.status_int == 200, resp.body
    assert resp.data == inv.sample('deployable-program-response.json')
    host, controlpath, image, driver = agent.calls[-1]
    assert (host, image, driver) == ('agent-11', IMAGE, 'intel')
    assert controlpath['cpid_info']['bus'] == '5e'


def test_program_failure_reported_by_the_agent(api, monkeypatch):
    _with_agent(api, monkeypatch, False)
    resp = api.patch(PROGRAM, [_op(op='add', path='/bitstream')])
    assert resp.status_int == 500
    assert inv.fault(resp) == 'FPGA programming failed with return False.'


def test_program_is_admin_only(api):
    resp = api.as_roles(inv.MANAGER).patch(PROGRAM, 'not json')
    assert resp.status_int == 403
    assert inv.fault(resp) == ('Access was denied to the following '
                               'resource: cyborg:deployable:program')
