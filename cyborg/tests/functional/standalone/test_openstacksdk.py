"""openstacksdk's accelerator proxy against the running standalone service.

openstacksdk is what operators' tools (OSC, scripts) use; it sends
microversion ``accelerator 2.3`` by default and the path forms of api.md
§17 (DELETE/PATCH ``/accelerator_requests/<uuid>``).
"""
import openstack
from openstack import exceptions as sdk_exc
import pytest


@pytest.fixture
def sdk(standalone):
    return openstack.connection.Connection(
        auth_type='none',
        accelerator_endpoint_override=standalone.url + '/v2',
        accelerator_api_version='2')


GROUPS = [{'resources:FPGA': '1', 'trait:CUSTOM_FAKE_DEVICE': 'required'},
          {'resources:CUSTOM_QAT': '2'}]


def test_device_profiles_lifecycle(sdk):
    created = sdk.accelerator.create_device_profile(
        name='sdk-profile', groups=GROUPS, description='made by the sdk')
    assert created.name == 'sdk-profile'
    assert created.groups == GROUPS
    assert [p.name for p in sdk.accelerator.device_profiles()] == [
        'sdk-profile']
    shown = sdk.accelerator.get_device_profile(created.id)
    assert (shown.id, shown.name, shown.description) == (
        created.id, 'sdk-profile', 'made by the sdk')
    sdk.accelerator.delete_device_profile(created.id)
    assert list(sdk.accelerator.device_profiles()) == []
    with pytest.raises(sdk_exc.NotFoundException):
        sdk.accelerator.get_device_profile(created.id)


def test_accelerator_requests_lifecycle(sdk):
    sdk.accelerator.create_device_profile(name='sdk-arqs', groups=GROUPS)
    arq = sdk.accelerator.create_accelerator_request(
        device_profile_name='sdk-arqs')
    assert arq.state == 'Initial'
    assert arq.device_profile_name == 'sdk-arqs'
    listed = list(sdk.accelerator.accelerator_requests())
    # one ARQ for group 0 (FPGA x1) and two for group 1 (CUSTOM_QAT x2)
    assert sorted(a.device_profile_group_id for a in listed) == [0, 1, 1]
    assert arq.id in {a.id for a in listed}
    shown = sdk.accelerator.get_accelerator_request(arq.id)
    assert (shown.id, shown.state) == (arq.id, 'Initial')
    for item in listed:
        sdk.accelerator.delete_accelerator_request(item.id)
    assert list(sdk.accelerator.accelerator_requests()) == []
    with pytest.raises(sdk_exc.NotFoundException):
        sdk.accelerator.get_accelerator_request(arq.id)
