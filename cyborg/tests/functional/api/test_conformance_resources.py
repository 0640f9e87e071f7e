"""api.md §8-§12 and Appendix A, validation row by validation row.

Decisions applied: Q2, Q3, Q4, Q5, Q6, Q7 (device profiles), Q8, Q9, Q11
(ARQs), Q18 (which uuids are validated), Q20 (attribute create), Q22
(device filters).
"""
import json
import zlib

import pytest

from cyborg.tests.functional.api import inventory_fixtures as inv
from cyborg.tests.functional.api.conformance_client import A
from cyborg.tests.functional.api.conformance_client import api_fixture  # noqa: F401,E501
from cyborg.tests.functional.api.conformance_client import DPS
from cyborg.tests.functional.api.conformance_client import fault

DP_UUID = '6cbfb1ad-0a7c-4dbf-a3ac-0d0a4d6f1f64'
ZERO = '00000000-0000-0000-0000-000000000000'
INSTANCE = '0b9b5d8e-7c1a-4f5e-9a64-3c2f8e1d0a77'
G = [{'resources:GPU': '1'}]
NAME_RULE = 'Device profile name must be of the form ^[a-zA-Z0-9-_]+$'
KEY_RULE = ('Device profile group keys must be of the form '
            '^(resources:|trait:|accel:)')


def _dp(name, groups=G, **extra):
    return [dict(name=name, groups=groups, **extra)]


# -- §8.4 device-profile create: every validation row -------------------------

@pytest.mark.parametrize('body, status, message', [
    ([], 400, 'Only one device profile allowed per POST request for now.'),
    (_dp('a') * 2, 400,
     'Only one device profile allowed per POST request for now.'),
    ({'a': 1, 'b': 2}, 400,
     'Only one device profile allowed per POST request for now.'),
    ({'a': 1}, 400, None),                               # Q3: not a 500
    (_dp(None), 400, NAME_RULE),                           # issue 12
    (_dp(''), 500, 'DeviceProfile name needed.'),          # [T]
    ([{'groups': G}], 400, 'Missing argument: "name"'),    # Q3
    (_dp(7), 400, None),                                   # Q3
    (_dp('a b'), 400, NAME_RULE),
    (_dp('a.b'), 400, NAME_RULE),
    (_dp('a', None), 400,
     'Device profile groups must be an array of objects.'),
    (_dp('a', []), 400, 'DeviceProfile needs groups field.'),
    ([{'name': 'a'}], 400, 'Missing argument: "groups"'),  # Q3
    (_dp('a', {'resources:GPU': '1'}), 400, None),
    (_dp('a', ['x']), 400, None),
    (_dp('a', [{'Resources:GPU': '1'}]), 400, KEY_RULE),
    (_dp('a', [{'foo': '1'}]), 400, KEY_RULE),
    (_dp('a', [{'trait:custom_x': 'required'}]), 400,
     'Unsupported trait name format custom_x, should start with CUSTOM_'),
    (_dp('a', [{'trait: FOO ': 'required'}]), 400,
     'Unsupported trait name format FOO, should start with CUSTOM_'),
    (_dp('a', [{'trait:CUSTOM_X': 'Required'}]), 400,
     "Unsupported trait value Required, the value must be one among "
     "['required', 'forbidden']"),
    (_dp('a', [{'resources:PCI': '1'}]), 400,
     'Unsupported resource class PCI'),
    (_dp('a', [{'resources:gpu': '1'}]), 400,
     'Unsupported resource class gpu'),
    (_dp('a', [{'resources:GPU': 'one'}]), 400,
     'Resources number one is invalid'),
    (_dp('a', [{'resources:GPU': '1.5'}]), 400,
     'Resources number 1.5 is invalid'),
    (_dp('a', [{'resources:GPU': None}]), 400, None),
    (_dp('a', [{'resources:GPU': [1]}]), 400, None),
    (_dp('a', [{'accel:x': {'a': 1}}]), 400,
     'A string is required in field groups[0][accel:x], not a dict'),
    (_dp('a', [{}, {'accel:y': [1]}]), 400,
     'A string is required in field groups[1][accel:y], not a list'),
    (_dp('a', uuid='not-a-uuid'), 400,
     'Expected a uuid but received not-a-uuid.'),          # Q5
    (_dp('n' * 256), 500, None),                           # Q4 [T]
])
def test_dp_create_rows(api, body, status, message):
    resp = api('POST', DPS, body)
    assert resp.status_int == status, resp.body
    if message is not None:
        assert fault(resp) == message
    names = [p['name'] for p in api('GET', DPS).data['device_profiles']]
    assert 'a' not in names and 'n' * 256 not in names


def test_dp_create_conflicts(api):
    resp = api('POST', DPS, _dp('gpu-t4-pair'))
    assert resp.status_int == 409                          # [T]
    assert fault(resp) == ('A device_profile with name gpu-t4-pair '
                           'already exists.')
    resp = api('POST', DPS, _dp('fresh', uuid=DP_UUID))
    assert resp.status_int == 500                          # Q4 [T]
    assert fault(resp) == 'DeviceProfile with uuid %s already exists.' % (
        DP_UUID)
    resp = api('POST', DPS, _dp('fresh', uuid=DP_UUID.replace('-', '')
                                .upper()))
    assert resp.status_int == 500


def test_dp_create_normalisation_and_echo(api):
    """§8.5 normalisation; §8.4 extra keys ignored (no mass assignment)."""
    groups = [{'resources: FPGA ': ' 2 ', 'resources:CUSTOM_PCI': 3,
               'resources:VGPU': '+1', 'trait: CUSTOM_A:B ': 'forbidden',
               'accel:bitstream_id': None, 'accel:n': 1, 'accel:b': True},
              {}]
    resp = api('POST', DPS, _dp('norm', groups, description=5,
                                created_at='2000-01-01T00:00:00',
                                id=99,
                                uuid='2b1f4c8e5d6a4f7b8c9d0e1f2a3b4c5d'))
    assert resp.status_int == 201
    assert list(resp.data) == ['uuid', 'name', 'description', 'groups',
                               'created_at', 'updated_at', 'links']
    assert resp.data['uuid'] == '2b1f4c8e-5d6a-4f7b-8c9d-0e1f2a3b4c5d'
    assert resp.data['description'] == '5'
    assert resp.data['groups'] == [
        {'resources:FPGA': ' 2 ', 'resources:CUSTOM_PCI': '3',
         'resources:VGPU': '+1', 'trait:CUSTOM_A:B': 'forbidden',
         'accel:bitstream_id': None, 'accel:n': '1', 'accel:b': 'True'},
        {}]
    assert not resp.data['created_at'].startswith('2000')


# -- §8.2/§8.3 device-profile list and show -----------------------------------

@pytest.mark.parametrize('query, names', [
    ('', None), ('?name=', []), ('?name=gpu-t4-pair', ['gpu-t4-pair']),
    ('?name=nope,fpga-gzip-x1,gpu-t4-pair', ['gpu-t4-pair',
                                             'fpga-gzip-x1']),
    ('?name=GPU-T4-PAIR', []),
])
def test_dp_list(api, query, names):
    resp = api('GET', DPS + query)
    assert list(resp.data) == ['device_profiles']
    got = [p['name'] for p in resp.data['device_profiles']]
    if names is not None:
        assert got == names


@pytest.mark.parametrize('x, version, status, message', [
    (DP_UUID, '2.0', 200, None), (DP_UUID, '2.3', 200, None),
    ('gpu-t4-pair', '2.2', 200, None),
    ('gpu-t4-pair', '2.1', 406, 'Request not acceptable. The minimal '
                                'required API version should be 2.2'),
    ('gpu-t4-pair', '2.0', 406, None),
    (ZERO, '2.0', 404, 'Device Profile not found with uuid=' + ZERO),
    (DP_UUID.replace('-', ''), '2.0', 404, None),
    ('nope', '2.2', 404, 'Device Profile not found with name=nope'),
])
def test_dp_show(api, x, version, status, message):
    resp = api('GET', DPS + '/' + x, version=version)
    assert resp.status_int == status
    if message:
        assert fault(resp) == message
    if status == 200:
        assert list(resp.data) == ['device_profile']
        dp = resp.data['device_profile']
        assert list(dp) == ['name', 'description', 'uuid', 'groups',
                            'created_at', 'updated_at', 'links']
        assert 'T' in dp['created_at'] and dp['updated_at'] is None  # Q2


# -- §8.6 device-profile delete -----------------------------------------------

def test_dp_delete_rows(api):
    for name in ('del-a', 'del-b', 'del-c'):
        assert api('POST', DPS, _dp(name)).status_int == 201
    resp = api('DELETE', DPS + '?value=del-a,nope,del-b')
    assert resp.status_int == 404                          # Q7
    assert fault(resp) == 'Device Profile not found with name=nope'
    assert len(api('GET', DPS + '?name=del-a,del-b').data[
        'device_profiles']) == 2
    assert api('DELETE', DPS + '?value=del-a,del-b').status_int == 204
    assert api('DELETE', DPS + '/del-c').status_int == 204
    resp = api('DELETE', DPS + '/' + ZERO)
    assert resp.status_int == 404
    assert fault(resp) == 'Device Profile not found with uuid=' + ZERO
    resp = api('DELETE', DPS + '?value=%s,%s' % (ZERO, DP_UUID))
    assert fault(resp) == 'Device Profile not found with name=' + ZERO
    resp = api('DELETE', DPS + '/gpu-t4-pair')             # Q6: in use
    assert resp.status_int == 409
    assert 'gpu-t4-pair' in fault(resp)
    uuid = api('POST', DPS, _dp('del-d')).data['uuid']
    assert api('DELETE', DPS + '?value=' + uuid).status_int == 204
    assert api('GET', DPS + '/' + uuid).status_int == 404


# -- §9 ARQs ------------------------------------------------------------------

@pytest.mark.parametrize('query, status, message', [
    ('?instance=abc', 400, "Invalid input for field/attribute instance. "
     "Value: 'abc'. unable to convert to uuid. Error: Expected a uuid but "
     "received abc."),
    ('?bind_state=Bound', 400, "Bad state: Bound for ARQ: None. Expected "
     "state(s): ['resolved']"),                            # Q9
    ('?bind_state=&instance=' + INSTANCE, 400, None),
    ('?bind_state=resolved', 200, None),
    ('?instance=' + INSTANCE.replace('-', ''), 200, None),
    ('?instance=' + INSTANCE, 200, None),
])
def test_arq_list_rows(api, query, status, message):
    resp = api('GET', A + query)
    assert resp.status_int == status
    if message:
        assert fault(resp) == message
    if status == 200:
        assert list(resp.data) == ['arqs']
        if 'resolved' in query:
            assert all(a['state'] in ('Bound', 'BindFailed', 'Deleting')
                       for a in resp.data['arqs'])
        if query.endswith(INSTANCE):
            assert [a['instance_uuid'] for a in resp.data['arqs']] == [
                INSTANCE]
        elif 'instance' in query:
            assert resp.data['arqs'] == []        # compared as given (§7)


def test_arq_representation(api):
    arq = api('GET', A + '/c7038376-cf20-4489-ba93-757146ba287c').data
    assert list(arq) == [
        'uuid', 'state', 'device_profile_name', 'device_profile_group_id',
        'hostname', 'device_rp_uuid', 'instance_uuid', 'project_id',
        'attach_handle_type', 'attach_handle_uuid', 'attach_handle_info',
        'links', 'created_at', 'updated_at']
    assert (arq['state'], arq['attach_handle_type'],
            arq['attach_handle_uuid'], arq['attach_handle_info']) == (
        'Initial', '', None, {})


@pytest.mark.parametrize('path, status, message', [
    (A + '/abc', 400, "Invalid input for field/attribute uuid. Value: "
     "'abc'. unable to convert to uuid. Error: Expected a uuid but received "
     "abc."),
    (A + '/' + ZERO, 404, 'ExtArq not found with uuid=' + ZERO),
])
def test_arq_show_rows(api, path, status, message):
    resp = api('GET', path)
    assert resp.status_int == status
    assert fault(resp) == message


@pytest.mark.parametrize('body, status, message', [
    ({}, 400, 'DeviceProfile name needed.'),                 # Q8
    ({'device_profile_name': None}, 400, 'DeviceProfile name needed.'),
    ({'device_profile_name': ''}, 404,
     'Device Profile not found with name='),                 # [T]
    ({'device_profile_name': 'fake_dp'}, 404,
     'Device Profile not found with name=fake_dp'),          # [T]
    ({'device_profile_name': '!@#$%^&*()=-[]'}, 404,
     'Device Profile not found with name=!@#$%^&*()=-[]'),   # [T]
    (['gpu-t4-pair'], 400, None),
    ({'device_profile_name': ['gpu-t4-pair']}, 400, None),
])
def test_arq_create_rows(api, body, status, message):
    resp = api('POST', A, body)
    assert resp.status_int == status, resp.body
    if message is not None:
        assert fault(resp) == message


@pytest.mark.parametrize('groups, expected', [
    ([{'resources:GPU': '2'}, {'resources:FPGA': '1'}], [0, 0, 1]),
    ([{'resources:A': '2', 'resources:B': '1'}], [0, 0, 0]),
    ([{'trait:CUSTOM_FPGA_XILINX': 'required', 'resources:FPGA': '2',
       'resources:GPU': '5'}], [0, 0, 0, 0]),
    ([{'trait:CUSTOM_FPGA_XILINX': 'forbidden', 'resources:FPGA': '2'}],
     [0, 0]),
    ([{}, {'accel:x': 'y'}, {'trait:CUSTOM_X': 'required'}], []),
    ([{'resources:GPU': ' 3 '}], [0, 0, 0]),
])
def test_arq_create_fan_out(api, groups, expected):
    groups = [{k.replace('resources:A', 'resources:CUSTOM_A')
               .replace('resources:B', 'resources:CUSTOM_B'): v
               for k, v in g.items()} for g in groups]
    name = 'fan-%d' % zlib.crc32(json.dumps(groups).encode())
    assert api('POST', DPS, _dp(name, groups)).status_int == 201
    resp = api('POST', A, {'device_profile_name': name, 'project_id': 'x',
                           'device_profile_group_id': 9})
    assert resp.status_int == 201
    arqs = resp.data['arqs']
    assert [a['device_profile_group_id'] for a in arqs] == expected
    for arq in arqs:
        assert (arq['state'], arq['project_id'], arq['hostname'],
                arq['instance_uuid']) == ('Initial', inv.PROJECT, None, None)
    if arqs:
        assert api('DELETE', A + '?arqs=' + ','.join(
            a['uuid'] for a in arqs)).status_int == 204


def test_xilinx_without_fpga_is_refused_at_profile_create(api):
    """Upstream stores it, then every ARQ create from it is a 500."""
    resp = api('POST', DPS, _dp('xil-nofpga', [
        {'trait:CUSTOM_FPGA_XILINX': 'required'}]))
    assert resp.status_int == 400
    assert 'resources:FPGA' in fault(resp)


@pytest.mark.parametrize('value', ['0', '-1', '1.5', '1001', 0, 1.5])
def test_counts_outside_one_to_the_cap_are_refused(api, value):
    resp = api('POST', DPS, _dp('bad-count', [{'resources:GPU': value}]))
    assert resp.status_int == 400
    assert fault(resp) == 'Resources number %s is invalid' % value


@pytest.mark.parametrize('query, status, message', [
    ('', 400, 'Object action delete failed because: Provide either an ARQ '
              'uuid list or an instance UUID'),              # Q11
    ('?arqs=', 400, None), ('?instance=', 400, None),
    ('?arqs=a&instance=' + INSTANCE, 400, None),
    ('?arqs=abc', 404, 'ExtArq not found with uuid=abc'),
    ('?arqs=c7038376-cf20-4489-ba93-757146ba287c,' + ZERO, 404,
     'ExtArq not found with uuid=' + ZERO),
    ('?instance=abc', 400, "Invalid input for field/attribute instance. "
     "Value: 'abc'. unable to convert to uuid. Error: Expected a uuid but "
     "received abc."),
])
def test_arq_delete_rows(api, query, status, message):
    resp = api('DELETE', A + query, headers={'X-Service-Roles': 'service'})
    assert resp.status_int == status
    if message:
        assert fault(resp) == message
    # nothing deleted when any listed ARQ is missing [T]
    assert api('GET', A + '/c7038376-cf20-4489-ba93-757146ba287c'
               ).status_int == 200


def test_arq_delete_is_not_idempotent(api):
    uuid = api('POST', A, {'device_profile_name': 'fpga-gzip-x1'}).data[
        'arqs'][0]['uuid']
    assert api('DELETE', A + '/' + uuid).status_int == 204
    assert api('DELETE', A + '?arqs=' + uuid).status_int == 404
    assert uuid not in [a['uuid'] for a in api('GET', A).data['arqs']]


# -- §10 devices --------------------------------------------------------------

@pytest.mark.parametrize('query, uuids', [
    ('?type=GPU', [inv.GPU]), ('?type=gpu', []),
    ('?vendor=0x8086', [inv.FPGA]),
    ('?hostname=compute-07&type=GPU&vendor=10de', [inv.GPU]),
    ('?hostname=compute-07&type=FPGA', []), ('?type=', [inv.GPU, inv.FPGA]),
    ('?filters.field=name&filters.value=x', [inv.GPU, inv.FPGA]),
    ('?filters.field=marker&filters.value=x', [inv.GPU, inv.FPGA]),
])
def test_device_list_filters(api, query, uuids):
    resp = api('GET', '/v2/devices' + query)
    assert list(resp.data) == ['devices']
    assert sorted(d['uuid'] for d in resp.data['devices']) == sorted(uuids)


@pytest.mark.parametrize('query, message', [
    ('filters.field=bogus&filters.value=1',
     "Invalid input for field/attribute field. Value: 'bogus'. Value should "
     "be one of: parent_uuid, root_uuid, board, availability, "
     "interface_type, instance_uuid, limit, marker, sort_key, sort_dir, "
     "name"),
    ('filters.field=sort_key&filters.value=bogus',
     'The sort_key value "bogus" is an invalid field for sorting'),
    ('filters.field=limit&filters.value=x', None),           # Q22
    ('filters.field=limit&filters.value=1.5', None),         # Q22
    ('filters.field=sort_dir&filters.value=up', None),       # Q22
    ('filters.field=limit', None),
    ('filters[0].field=limit', None),
])
def test_device_list_filter_errors(api, query, message):
    resp = api('GET', '/v2/devices?' + query)
    assert resp.status_int == 400
    if message:
        assert fault(resp) == message


@pytest.mark.parametrize('path', ['/v2/devices/nope', '/v2/devices/' + ZERO,
                                  '/v2/devices/nope/enable',
                                  '/v2/devices/nope/disable'])
def test_device_uuid_not_validated(api, path):
    """Q18: malformed or unknown, always 404."""
    method = 'POST' if path.endswith('able') else 'GET'
    resp = api(method, path)
    assert resp.status_int == 404
    assert fault(resp) == 'Device not found with uuid=' + path.split('/')[3]


def test_device_representation(api):
    device = api('GET', '/v2/devices/' + inv.GPU, version='2.3').data
    assert list(device) == ['uuid', 'type', 'vendor', 'model',
                            'std_board_info', 'vendor_board_info',
                            'hostname', 'status', 'links', 'created_at',
                            'updated_at']


def test_device_enable_needs_admin(api):
    resp = api('POST', '/v2/devices/%s/disable' % inv.GPU,
               roles=inv.MANAGER)
    assert resp.status_int == 403
    assert fault(resp).endswith('cyborg:device:disable')


# -- §11 deployables ----------------------------------------------------------

def test_deployable_rows(api):
    resp = api('GET', '/v2/deployables?filters.field=name&filters.value='
               'intel-fpga-dev.0')
    assert [d['uuid'] for d in resp.data['deployables']] == [inv.FPGA_DEP]
    dep = api('GET', '/v2/deployables/' + inv.GPU_DEP).data
    assert list(dep) == ['uuid', 'parent_id', 'root_id', 'name',
                         'num_accelerators', 'device_id', 'attributes_list',
                         'rp_uuid', 'driver_name', 'bitstream_id', 'links',
                         'created_at', 'updated_at']
    assert isinstance(dep['attributes_list'], str)             # Q17
    assert json.loads(dep['attributes_list']) == [
        {'rc': 'PGPU'}, {'trait0': 'OWNER_CYBORG'},
        {'trait1': 'CUSTOM_NVIDIA_1EB8'}]
    resp = api('GET', '/v2/deployables/bad')
    assert resp.status_int == 400
    assert fault(resp).startswith(
        "Invalid input for field/attribute uuid. Value: 'bad'.")
    resp = api('GET', '/v2/deployables/' + ZERO)
    assert resp.status_int == 404
    assert fault(resp) == 'Deployable not found with uuid=' + ZERO


IMAGE = '9a17439a-85d0-4c53-a3d3-0f68a2eac896'
PROG = [{'op': 'replace', 'path': '/program',
         'value': [{'image_uuid': IMAGE}]}]


@pytest.mark.parametrize('body, message', [
    ({'op': 'replace'}, "Invalid input for field/attribute program_info. "
     "Value: '{'op': 'replace'}'. Value not a valid list: "
     "{'op': 'replace'}"),
    ([{'op': 'move', 'path': '/program', 'value': 1}],
     "Invalid input for field/attribute op. Value: 'move'. Value should be "
     "one of: add, replace, remove"),
    ([{'op': 'add', 'path': 'program', 'value': 1}],
     "Invalid input for field/attribute path. Value: 'program'. Value "
     "should match the pattern ^(/[\\w-]+)+$"),
    ([{'op': 'add', 'path': '/name', 'value': 1}],
     "'/name' is an internal attribute and can not be updated"),
    ([{'op': 'add', 'path': '/num_accelerators/x', 'value': 1}],
     "'/num_accelerators/x' is an internal attribute and can not be "
     "updated"),
    ([{'op': 'replace', 'path': '/program'}],
     "'add' and 'replace' operations need a value"),
    ([{'op': 'add', 'path': '/bitstream_id',
       'value': [{'image_uuid': 'x'}]}], 'Expected a uuid but received x.'),
    (PROG + [{'op': 'move', 'path': '/x'}], None),   # every op validated
    ([], None), ([{'op': 'remove', 'path': '/program'}], None),
    ([{'op': 'add', 'path': '/program', 'value': 'x'}], None),
    ([{'op': 'add', 'path': '/program', 'value': [{}]}], None),
])
def test_program_rows(api, body, message):
    resp = api('PATCH', '/v2/deployables/%s/program' % inv.FPGA_DEP, body)
    assert resp.status_int == 400, resp.body
    if message:
        assert fault(resp) == message


@pytest.mark.parametrize('uuid, status', [('bad', 400), (ZERO, 404)])
def test_program_deployable_lookup(api, uuid, status):
    resp = api('PATCH', '/v2/deployables/%s/program' % uuid, PROG)
    assert resp.status_int == status


def test_program_failure_names_the_cause(api):
    resp = api('PATCH', '/v2/deployables/%s/program' % inv.FPGA_DEP, PROG)
    assert resp.status_int == 500       # no agent in this test setup
    assert fault(resp)


# -- §12 attributes -----------------------------------------------------------

@pytest.mark.parametrize('query, count', [
    ('', 7), ('?deployable_id=0', 7), ('?deployable_id=2', 3),
    ('?deployable_id= 2 ', 3), ('?key=rc', 2), ('?key=', 7),
    ('?deployable_id=1&key=rc', 1), ('?deployable_id=99', 0),
])
def test_attribute_list(api, query, count):
    resp = api('GET', '/v2/attributes' + query)
    assert list(resp.data) == ['attributes']
    listed = [a for a in resp.data['attributes']
              if not a['key'].startswith('conf-')]
    assert len(listed) == count


def test_attribute_list_bad_id(api):
    resp = api('GET', '/v2/attributes?deployable_id=x')
    assert resp.status_int == 400
    assert fault(resp).startswith(
        "Invalid input for field/attribute deployable_id. Value: 'x'. "
        "unable to convert to integer. Error: ")


def test_attribute_show(api):
    attr = api('GET', '/v2/attributes/' + inv.ATTR_RC).data
    assert list(attr) == ['uuid', 'deployable_id', 'key', 'value',
                          'created_at', 'updated_at', 'links']
    resp = api('GET', '/v2/attributes/bad')
    assert resp.status_int == 400                               # Q18
    resp = api('GET', '/v2/attributes/' + ZERO)
    assert resp.status_int == 404
    assert fault(resp) == 'Attribute not found with uuid=' + ZERO


@pytest.mark.parametrize('body, status, message', [
    ({'key': 'conf-k', 'value': 'v'}, 400,
     'Missing argument: "deployable_id"'),                     # Q20
    ({'deployable_id': 1, 'value': 'v'}, 400, 'Missing argument: "key"'),
    ({'deployable_id': 1, 'key': 'conf-k'}, 400,
     'Missing argument: "value"'),
    ({'deployable_id': 'x', 'key': 'conf-k', 'value': 'v'}, 400, None),
    ({'deployable_id': 999, 'key': 'conf-k', 'value': 'v'}, 404,
     'Deployable not found with id=999'),                      # Q20
    ({'deployable_id': 1, 'key': 'conf-k', 'value': 'v', 'uuid': 'bad'},
     400, None),
    ({'deployable_id': 1, 'key': 'conf-k', 'value': 'v',
      'uuid': inv.ATTR_RC}, 409,
     'Attribute with uuid %s already exists.' % inv.ATTR_RC),
    ([{'deployable_id': 1}], 400, None),
    ({'deployable_id': 1, 'key': {'a': 1}, 'value': 'v'}, 400, None),
])
def test_attribute_create_rows(api, body, status, message):
    resp = api('POST', '/v2/attributes', body)
    assert resp.status_int == status, resp.body
    if message:
        assert fault(resp) == message


def test_attribute_create_and_delete(api):
    resp = api('POST', '/v2/attributes', {'deployable_id': '1',
                                          'key': 'conf-rc', 'value': 'x',
                                          'extra': 1})
    assert resp.status_int == 201
    assert (resp.data['deployable_id'], resp.data['key'],
            resp.data['value']) == (1, 'conf-rc', 'x')
    dup = api('POST', '/v2/attributes', {'deployable_id': 1,
                                         'key': 'conf-rc', 'value': 'y'})
    assert dup.status_int == 201                 # duplicate pairs allowed
    for uuid in (resp.data['uuid'], dup.data['uuid']):
        assert api('DELETE', '/v2/attributes/' + uuid).status_int == 204
    resp = api('DELETE', '/v2/attributes/nope')                 # Q18
    assert resp.status_int == 404
    assert fault(resp) == 'Attribute not found with uuid=nope'
