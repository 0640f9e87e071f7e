"""ARQ create fan-out and bind/unbind patch validation."""
import pytest

from cyborg import context
from cyborg.api.schemas import arq as schema
from cyborg.common import exception


def _ctx(admin=False):
    roles = ['admin', 'member'] if admin else ['member']
    return context.RequestContext(project_id='p1', roles=roles)


@pytest.mark.parametrize('groups,expected', [
    ([{'resources:PGPU': '1'}, {'resources:PGPU': '1'}], [0, 1]),
    ([{'resources:A': '2', 'resources:B': '1'}], [0, 0, 0]),
    ([{'resources:FPGA': '2', 'resources:GPU': '5',
       'trait:CUSTOM_FPGA_XILINX': 'required'}], [0, 0, 0, 0]),
    ([{'resources:FPGA': '1', 'trait:CUSTOM_FPGA_XILINX': 'forbidden'}],
     [0]),
    ([{}, {'trait:CUSTOM_X': 'required'}, {'resources:GPU': '-1'},
      {'resources:GPU': '0'}], []),
    ([{'resources:GPU': ' 2 '}], [0, 0]),
])
def test_fan_out(groups, expected):
    assert schema.group_ids(groups) == expected


def test_xilinx_without_fpga_is_a_clear_400():
    with pytest.raises(exception.InvalidParameterValue) as e:
        schema.group_ids([{'trait:CUSTOM_FPGA_XILINX': 'required'}])
    assert 'resources:FPGA' in str(e.value)


def test_float_resource_is_a_clear_400():
    with pytest.raises(exception.InvalidParameterValue):
        schema.group_ids([{'resources:GPU': '1.5'}])


def _bind(**values):
    return [{'op': 'add', 'path': '/' + k, 'value': v}
            for k, v in values.items()]


RP = '9ccddf59-cdc9-456b-a69b-36a6950c3624'
INSTANCE = 'c72d382c6f8c49cfb1cf352411b86375'
FULL = {'hostname': 'h', 'device_rp_uuid': RP, 'instance_uuid': INSTANCE}


def test_valid_fields_default_project():
    fields = schema.parse_patch({'a': _bind(**FULL)}, (2, 0), _ctx())
    assert fields == {'a': dict(FULL, project_id='p1')}


def test_unbind_entries_have_no_fields():
    body = {'a': [{'op': 'remove', 'path': '/hostname'}]}
    assert schema.parse_patch(body, (2, 0), _ctx()) == {}


def test_project_id_rules():
    body = {'a': _bind(project_id='p2', **FULL)}
    with pytest.raises(exception.MicroversionRequired):
        schema.parse_patch(body, (2, 0), _ctx(admin=True))
    with pytest.raises(exception.PolicyNotAuthorized):
        schema.parse_patch(body, (2, 1), _ctx())
    remove = {'a': [{'op': 'remove', 'path': '/project_id'}]}
    with pytest.raises(exception.PolicyNotAuthorized):
        schema.parse_patch(remove, (2, 1), _ctx())
    fields = schema.parse_patch(body, (2, 1), _ctx(admin=True))
    assert fields['a']['project_id'] == 'p2'


def test_absent_fields_in_order():
    with pytest.raises(exception.PatchError) as e:
        schema.parse_patch({'a': _bind(hostname='h', instance_uuid=None)},
                           (2, 0), _ctx())
    assert str(e.value).endswith(
        'Fields absent in patch device_rp_uuid,instance_uuid')


def test_first_failing_entry_wins():
    body = {'a': _bind(hostname='h'),
            'b': [{'op': 'move', 'path': '/hostname'}]}
    with pytest.raises(exception.PatchError) as e:
        schema.parse_patch(body, (2, 0), _ctx())
    assert 'Fields absent' in str(e.value)


def test_leading_slashes_are_stripped():
    body = {'a': [{'op': 'add', 'path': '//hostname', 'value': 'h'},
                  {'op': 'add', 'path': 'device_rp_uuid', 'value': RP},
                  {'op': 'add', 'path': '/instance_uuid', 'value': INSTANCE}]}
    assert schema.parse_patch(body, (2, 0), _ctx())['a']['hostname'] == 'h'


def test_too_long_values():
    with pytest.raises(exception.Invalid) as e:
        schema.parse_patch({'a': _bind(**dict(FULL, hostname='h' * 256))},
                           (2, 0), _ctx())
    assert str(e.value).startswith("Couldn't apply patch. Reason: ")


@pytest.mark.parametrize('field, value', [
    ('instance_uuid', 'c72d382c-6f8c-49cf-b1cf-352411b86375\x00'),
    ('instance_uuid', 'c72d382c-6f8c-49cf-b1cf-352411b86375\n'),
    ('instance_uuid', 'not-a-uuid'), ('device_rp_uuid', 'r'),
    ('hostname', 'compute 07'), ('hostname', 'h\n'), ('hostname', 7),
    ('hostname', ''),
])
def test_bound_values_must_be_what_they_name(field, value):
    with pytest.raises(exception.Invalid) as e:
        schema.parse_patch({'a': _bind(**dict(FULL, **{field: value}))},
                           (2, 0), _ctx())
    assert e.value.code == 400
    assert str(e.value).startswith("Couldn't apply patch. Reason: Invalid "
                                   "value ")


def test_remove_values_are_ignored():
    body = {'a': [{'op': 'remove', 'path': '/instance_uuid', 'value': 7}]}
    assert schema.parse_patch(body, (2, 0), _ctx()) == {}
