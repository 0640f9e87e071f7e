"""The standalone mode runs an agent with the fake driver and a real
embedded Placement: after start the fake device is in the API and its
provider is in Placement, under the compute node of this host."""
import uuid

import requests

from cyborg.tests.functional.standalone import conftest

PLACEMENT = {'X-Auth-Token': 'admin',
             'OpenStack-API-Version': 'placement 1.39'}



def test_fake_device_reaches_api_and_placement(standalone):
    deployables = conftest.wait_for_provider(standalone.url)
    devices = requests.get(standalone.url + '/v2/devices').json()['devices']
    assert [(d['type'], d['vendor']) for d in devices] == [
        ('FPGA', '0xABCD')]
    assert len(deployables) == 1
    name = deployables[0]['name']
    rp_uuid = deployables[0]['rp_uuid']
    # provider naming of decisions D3.2: uuid3(DNS, deployable name)
    assert rp_uuid == str(uuid.uuid3(uuid.NAMESPACE_DNS, name))

    providers = requests.get(standalone.placement_url +
                             '/resource_providers', headers=PLACEMENT)
    by_uuid = {p['uuid']: p for p in providers.json()['resource_providers']}
    child = by_uuid[rp_uuid]
    assert child['name'] == name
    root = by_uuid[child['parent_provider_uuid']]
    assert root['parent_provider_uuid'] is None
    assert root['name'] == devices[0]['hostname']

    inventory = requests.get(
        standalone.placement_url + '/resource_providers/%s/inventories'
        % rp_uuid, headers=PLACEMENT).json()['inventories']
    assert inventory['FPGA']['total'] == deployables[0]['num_accelerators']
    traits = requests.get(
        standalone.placement_url + '/resource_providers/%s/traits'
        % rp_uuid, headers=PLACEMENT).json()['traits']
    assert 'CUSTOM_FAKE_DEVICE' in traits


def test_device_disable_and_enable_reach_embedded_placement(standalone):
    """The conductor builds its Placement client from ``[placement]``;
    standalone points that at the embedded Placement (enable/disable
    used to answer 500 ``An auth plugin is required to determine
    endpoint URL`` after saving the status, leaving ``reserved`` alone)."""
    [deployable] = conftest.wait_for_provider(standalone.url)
    device = requests.get(standalone.url + '/v2/devices').json()[
        'devices'][0]
    inventories = (standalone.placement_url +
                   '/resource_providers/%s/inventories'
                   % deployable['rp_uuid'])

    def reserved():
        return requests.get(inventories, headers=PLACEMENT).json()[
            'inventories']['FPGA']['reserved']

    action = standalone.url + '/v2/devices/%s/' % device['uuid']
    resp = requests.post(action + 'disable')
    assert (resp.status_code, resp.text) == (204, '')
    assert reserved() == deployable['num_accelerators']
    resp = requests.post(action + 'enable')
    assert (resp.status_code, resp.text) == (204, '')
    assert reserved() == 0
