"""Device-profile create validation: order, messages, normalisation."""
import pytest

from cyborg.api.schemas import device_profile as schema
from cyborg.common import exception


def _parse(**item):
    return schema.parse_create([item])


def test_normalisation():
    profile = _parse(name='n', description=7, groups=[
        {'resources: FPGA ': ' 2 ', 'trait: CUSTOM_X:Y ': 'forbidden',
         'accel:a': None, 'accel:b': True, 'accel:c': 3},
        {'resources:CUSTOM_PCI': 2}, {}])
    assert profile['description'] == '7'
    assert profile['groups'] == [
        {'resources:FPGA': ' 2 ', 'trait:CUSTOM_X:Y': 'forbidden',
         'accel:a': None, 'accel:b': 'True', 'accel:c': '3'},
        {'resources:CUSTOM_PCI': '2'}, {}]
    assert profile['uuid'] is None


def test_uuid_is_canonical():
    profile = _parse(name='n', groups=[{}],
                     uuid='8BCBA47604CA4955B9E23DC0841BDC97')
    assert profile['uuid'] == '8bcba476-04ca-4955-b9e2-3dc0841bdc97'


def test_whole_json_numbers_are_stored_as_integers():
    profile = _parse(name='n', groups=[{'resources:GPU': 2.0}])
    assert profile['groups'][0]['resources:GPU'] == '2'


@pytest.mark.parametrize('value', ['+3', ' 7', '007', '1000', 1000, 1,
                                   '\t2 '])
def test_whole_numbers_from_one_to_the_cap(value):
    _parse(name='n', groups=[{'resources:GPU': value}])


@pytest.mark.parametrize('value', [
    '1_000', '١', '', 'nan', True, 1.5, '1.5', '-1', '0', 0, -1, '1001',
    1001, '9' * 5000, '2\n', None, [1], {'a': 1}, '1e3'])
def test_non_whole_or_out_of_range_counts(value):
    with pytest.raises(exception.Invalid) as e:
        _parse(name='n', groups=[{'resources:GPU': value}])
    assert e.value.code == 400
    assert str(e.value).startswith('Resources number ')


def test_name_checked_before_groups():
    with pytest.raises(exception.CyborgException) as e:
        _parse(name='', groups='garbage')
    assert (e.value.code, str(e.value)) == (500, 'DeviceProfile name needed.')


@pytest.mark.parametrize('item, status, message', [
    ({'name': '', 'groups': [{}]}, 500, 'DeviceProfile name needed.'),
    ({'name': 'a' * 256, 'groups': [{}]}, 500,
     exception.DeviceProfileNameTooLong.msg_fmt),
    ({'name': None, 'groups': [{}]}, 400, schema.NAME_RULE),
    ({'name': 'gpu\n', 'groups': [{}]}, 400, schema.NAME_RULE),
    ({'name': '!' * 300, 'groups': [{}]}, 400, schema.NAME_RULE),
    ({'name': 'a', 'groups': None}, 400, schema.GROUPS_RULE),
    ({'name': 'a', 'groups': []}, 400, 'DeviceProfile needs groups field.'),
    ({'name': 'a', 'groups': [{'trait:CUSTOM_A\x00': 'required'}]}, 400,
     None),
    ({'name': 'a', 'groups': [{'trait:CUSTOM_A\n': 'required'}]}, 400,
     None),
    ({'name': 'a', 'groups': [{'resources:GPU\n': '1'}]}, 400,
     'Unsupported resource class GPU'),
    ({'name': 'a', 'groups': [{'resources:GPU': '600'},
                              {'resources:GPU': '600'}]}, 400, None),
    ({'name': 'a', 'groups': [{'trait:CUSTOM_FPGA_XILINX': 'required'}]},
     400, None),
    ({'name': 'a', 'groups': [{}], 'description': 'x\x00'}, 400, None),
])
def test_status_and_message(item, status, message):
    with pytest.raises(exception.CyborgException) as e:
        schema.parse_create([item])
    assert e.value.code == status
    if message is not None:
        assert str(e.value) == message


def test_groups_checked_before_uuid():
    with pytest.raises(exception.Invalid) as e:
        _parse(name='n', groups=[], uuid='bad')
    assert str(e.value) == 'DeviceProfile needs groups field.'
    assert e.value.code == 400


def test_first_bad_key_wins():
    with pytest.raises(exception.Invalid) as e:
        _parse(name='n', groups=[{'trait:X': 'required',
                                  'resources:PCI': '1'}])
    assert 'trait name' in str(e.value)


def test_500s_and_400s_have_the_right_codes():
    assert exception.DeviceProfileNameNeeded.code == 500
    assert exception.InvalidDeviceProfile.code == 400
    assert exception.DeviceProfileNameTooLong.code == 500
