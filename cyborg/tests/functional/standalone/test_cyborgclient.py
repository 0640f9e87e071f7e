"""python-cyborgclient (the ``openstack accelerator ...`` commands)
against the running standalone service.

python-cyborgclient 3.x has no REST client of its own: it is an OSC
plugin whose commands call openstacksdk's accelerator proxy, built by
``cyborgclient.osc.plugin.make_client`` from OSC's CloudRegion with the
plugin's default microversion (``accelerator 2.3``). Here each command
runs the way ``openstack --os-auth-type none --os-endpoint <url>/v2
accelerator ...`` runs it: the plugin's ``make_client`` on a noauth
CloudRegion, then the command's parser and ``take_action``; only the OSC
shell itself is left out (python-openstackclient is not a dependency).

Not covered, for reasons on the client side: ``deployable program``
needs a Glance image client, and openstacksdk's ``update_deployable``
(which it calls) calls itself forever; ``arq bind`` takes a
``project_id`` argument but never sends it.

The ARQ bind/unbind PATCH needs a service token (api.md §17). Neither
the plugin nor OSC can attach one, so without help ``openstack
accelerator arq bind`` is refused with the 403 of the spec; the test
stands in for the token with noauth's ``X-Service-Roles: service``
header on the proxy (a keystoneauth adapter's ``additional_headers``).
"""
import json
import time
import types

from cyborgclient import exceptions as cc_exc
from cyborgclient.osc import plugin
from cyborgclient.osc.v2 import accelerator_request as arq_cmd
from cyborgclient.osc.v2 import attribute as attr_cmd
from cyborgclient.osc.v2 import deployable as dep_cmd
from cyborgclient.osc.v2 import device as dev_cmd
from cyborgclient.osc.v2 import device_profile as dp_cmd
from openstack import exceptions as sdk_exc
import openstack.config
from osc_lib.command import command as osc_command
import pytest
import requests

from cyborg.tests.functional.standalone import conftest

PLACEMENT = {'X-Auth-Token': 'admin',
             'OpenStack-API-Version': 'placement 1.39'}
GROUPS = [{'resources:FPGA': '1', 'trait:CUSTOM_FAKE_DEVICE': 'required'},
          {'resources:CUSTOM_QAT': '2'}]
INSTANCE = '5e1c9a2f-3b7d-4c8e-9f01-23456789abcd'
ARQ_COLUMNS = ('uuid', 'state', 'device_profile_name', 'hostname',
               'device_rp_uuid', 'instance_uuid', 'attach_handle_type',
               'attach_handle_info')


class Osc:
    """``openstack accelerator <command>`` in process, on one proxy."""

    def __init__(self, url, headers=None):
        region = openstack.config.get_cloud_region(
            load_yaml_config=False, load_envvars=False,
            auth_type='none', auth={'endpoint': url + '/v2'})
        # what osc_lib's ClientManager hands the plugin
        instance = types.SimpleNamespace(
            _cli_options=region,
            _api_version={'accelerator':
                          plugin.DEFAULT_ACCELERATOR_API_VERSION})
        self.accelerator = plugin.make_client(instance)
        if headers:
            self.accelerator.additional_headers = dict(headers)
        self.app = types.SimpleNamespace(
            client_manager=types.SimpleNamespace(
                accelerator=self.accelerator))

    def __call__(self, command, *argv):
        cmd = command(self.app, None)
        result = cmd.take_action(cmd.get_parser('openstack').parse_args(
            list(argv)))
        if result is None:
            return None
        columns, data = result
        if isinstance(cmd, osc_command.Lister):
            return [dict(zip(columns, row)) for row in data]
        return dict(zip(columns, data))


@pytest.fixture
def osc(standalone):
    return Osc(standalone.url)



def _reserved(standalone, rp_uuid, rc):
    resp = requests.get(standalone.placement_url +
                        '/resource_providers/%s/inventories' % rp_uuid,
                        headers=PLACEMENT)
    return resp.json()['inventories'][rc]['reserved']


def test_device_profile_commands(osc):
    # the plugin's default microversion reaches the wire and is served
    assert plugin.DEFAULT_ACCELERATOR_API_VERSION == '2.3'
    resp = osc.accelerator.get('/device_profiles')
    assert resp.request.headers['OpenStack-API-Version'] == (
        'accelerator 2.3')
    assert resp.headers['OpenStack-API-Version'] == 'accelerator 2.3'

    created = osc(dp_cmd.CreateDeviceProfile, 'cc-profile',
                  json.dumps(GROUPS), '--description', 'made by the OSC')
    assert (created['name'], created['groups'], created['description']) == (
        'cc-profile', GROUPS, 'made by the OSC')
    assert created['created_at']
    listed = osc(dp_cmd.ListDeviceProfile)
    assert listed == [{'uuid': created['uuid'], 'name': 'cc-profile',
                       'groups': GROUPS, 'description': 'made by the OSC'}]
    long = osc(dp_cmd.ListDeviceProfile, '--long')
    assert long[0]['created_at'] == created['created_at']
    # by uuid, and by name (needs 2.2; the plugin sends 2.3)
    assert osc(dp_cmd.ShowDeviceProfile, created['uuid']) == created
    assert osc(dp_cmd.ShowDeviceProfile, 'cc-profile') == created

    # no description: the sdk posts "description": null
    bare = osc(dp_cmd.CreateDeviceProfile, 'cc-bare',
               json.dumps(GROUPS[:1]))
    assert bare['description'] is None
    assert sorted(p['name'] for p in osc(dp_cmd.ListDeviceProfile)) == [
        'cc-bare', 'cc-profile']

    assert osc(dp_cmd.DeleteDeviceProfile, created['uuid'],
               bare['uuid']) is None
    assert osc(dp_cmd.ListDeviceProfile) == []
    with pytest.raises(cc_exc.CommandError, match='not found'):
        osc(dp_cmd.ShowDeviceProfile, created['uuid'])
    with pytest.raises(cc_exc.CommandError, match='not found'):
        osc(dp_cmd.DeleteDeviceProfile, created['uuid'])


def test_accelerator_request_commands(osc):
    osc(dp_cmd.CreateDeviceProfile, 'cc-arqs', json.dumps(GROUPS))
    created = osc(arq_cmd.CreateAcceleratorRequest, 'cc-arqs')
    assert set(created) == set(ARQ_COLUMNS)
    assert (created['state'], created['device_profile_name']) == (
        'Initial', 'cc-arqs')
    assert created['hostname'] is None
    assert created['instance_uuid'] is None

    # one ARQ for group 0 (FPGA x1), two for group 1 (CUSTOM_QAT x2)
    listed = osc(arq_cmd.ListAcceleratorRequest, '--long')
    assert len(listed) == 3
    assert created['uuid'] in {a['uuid'] for a in listed}
    assert {(a['state'], a['device_profile_name']) for a in listed} == {
        ('Initial', 'cc-arqs')}
    short = osc(arq_cmd.ListAcceleratorRequest)
    assert 'hostname' not in short[0]
    assert osc(arq_cmd.ShowAcceleratorRequest, created['uuid']) == created

    assert osc(arq_cmd.DeleteAcceleratorRequest,
               *[a['uuid'] for a in listed]) is None
    assert osc(arq_cmd.ListAcceleratorRequest) == []
    with pytest.raises(cc_exc.CommandError, match='not found'):
        osc(arq_cmd.ShowAcceleratorRequest, created['uuid'])
    with pytest.raises(cc_exc.ClientException, match='No accelerator'):
        osc(arq_cmd.DeleteAcceleratorRequest, created['uuid'])


def test_device_deployable_and_attribute_commands(standalone, osc):
    [stored] = conftest.wait_for_provider(standalone.url)
    [device] = osc(dev_cmd.ListDevice)
    assert (device['type'], device['vendor']) == ('FPGA', '0xABCD')
    [long] = osc(dev_cmd.ListDevice, '--long')
    assert long['status'] == 'enabled'  # microversion 2.3 field
    shown = osc(dev_cmd.ShowDevice, device['uuid'])
    assert shown == {k: long[k] for k in shown}
    assert shown['uuid'] == device['uuid']
    with pytest.raises(cc_exc.CommandError, match='device not found'):
        osc(dev_cmd.ShowDevice, INSTANCE)

    [dep] = osc(dep_cmd.ListDeployable)
    assert (dep['uuid'], dep['name']) == (stored['uuid'], stored['name'])
    [dep_long] = osc(dep_cmd.ListDeployable, '--long')
    assert dep_long['num_accelerators'] == stored['num_accelerators']
    assert dep_long['device_id'] == dep['device_id']
    shown = osc(dep_cmd.ShowDeployable, dep['uuid'])
    assert (shown['uuid'], shown['name']) == (dep['uuid'], dep['name'])
    with pytest.raises(cc_exc.CommandError, match='deployable not found'):
        osc(dep_cmd.ShowDeployable, INSTANCE)

    attrs = osc(attr_cmd.ListAttribute)
    assert {(a['key'], a['value']) for a in attrs} >= {('rc', 'FPGA')}
    rc_attr = next(a for a in attrs if a['key'] == 'rc')
    assert osc(attr_cmd.ShowAttribute, rc_attr['uuid'])['value'] == 'FPGA'


def test_device_disable_and_enable_commands(standalone, osc):
    """The sdk ignores the response of these POSTs, so the effect is
    checked: the status, and Placement's ``reserved`` (api.md §10.4)."""
    [stored] = conftest.wait_for_provider(standalone.url)
    [device] = osc(dev_cmd.ListDevice)
    assert _reserved(standalone, stored['rp_uuid'], 'FPGA') == 0

    assert osc(dev_cmd.DisableDevice, device['uuid']) is None
    assert osc(dev_cmd.ShowDevice, device['uuid'])['status'] == (
        'maintaining')
    assert _reserved(standalone, stored['rp_uuid'], 'FPGA') == (
        stored['num_accelerators'])

    assert osc(dev_cmd.EnableDevice, device['uuid']) is None
    assert osc(dev_cmd.ShowDevice, device['uuid'])['status'] == 'enabled'
    assert _reserved(standalone, stored['rp_uuid'], 'FPGA') == 0


def test_arq_bind_and_unbind_commands(standalone, osc):
    [stored] = conftest.wait_for_provider(standalone.url)
    [device] = osc(dev_cmd.ListDevice)
    osc(dp_cmd.CreateDeviceProfile, 'cc-bind', json.dumps(GROUPS[:1]))
    arq = osc(arq_cmd.CreateAcceleratorRequest, 'cc-bind')
    bind = (arq_cmd.BindAcceleratorRequest, arq['uuid'],
            device['hostname'], INSTANCE, stored['rp_uuid'], 'a-project')

    # what an operator's ``openstack accelerator arq bind`` gets
    with pytest.raises(sdk_exc.ForbiddenException,
                       match='requires a service token'):
        osc(*bind)
    assert osc(arq_cmd.ShowAcceleratorRequest, arq['uuid'])['state'] == (
        'Initial')

    service = Osc(standalone.url, headers={'X-Service-Roles': 'service'})
    service(*bind)
    deadline = time.monotonic() + 10
    while True:
        bound = osc(arq_cmd.ShowAcceleratorRequest, arq['uuid'])
        if bound['state'] != 'Initial' or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert (bound['state'], bound['hostname'], bound['instance_uuid'],
            bound['device_rp_uuid']) == (
        'Bound', device['hostname'], INSTANCE, stored['rp_uuid'])
    assert bound['attach_handle_type']
    assert bound['attach_handle_info']

    unbound = service(arq_cmd.UnbindAcceleratorRequest, arq['uuid'])
    assert (unbound['state'], unbound['hostname'], unbound['instance_uuid'],
            unbound['device_rp_uuid']) == ('Unbound', None, None, None)
    osc(arq_cmd.DeleteAcceleratorRequest, arq['uuid'])
    assert osc(arq_cmd.ListAcceleratorRequest) == []
