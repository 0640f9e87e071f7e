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


def test_json_float_resource_is_kept():
    profile = _parse(name='n', groups=[{'resources:GPU': 1.5}])
    assert profile['groups'][0]['resources:GPU'] == '1.5'


@pytest.mark.parametrize('value', ['-1', '+3', '0', ' 7'])
def test_integer_strings(value):
    _parse(name='n', groups=[{'resources:GPU': value}])


@pytest.mark.parametrize('value', ['1_000', '١', '', 'nan', True])
def test_non_integers(value):
    with pytest.raises(exception.InvalidDeviceProfile):
        _parse(name='n', groups=[{'resources:GPU': value}])


def test_name_checked_before_groups():
    with pytest.raises(exception.DeviceProfileNameNeeded):
        _parse(name='', groups='garbage')


def test_groups_checked_before_uuid():
    with pytest.raises(exception.DeviceProfileGroupsExpected):
        _parse(name='n', groups=[], uuid='bad')


def test_first_bad_key_wins():
    with pytest.raises(exception.InvalidDeviceProfile) as e:
        _parse(name='n', groups=[{'trait:X': 'required',
                                  'resources:PCI': '1'}])
    assert 'trait name' in str(e.value)


def test_500s_and_400s_have_the_right_codes():
    assert exception.DeviceProfileNameNeeded.code == 500
    assert exception.InvalidDeviceProfile.code == 400
    assert exception.DeviceProfileNameTooLong.code == 500
