"""Intel NIC driver on an XXV710 host: ``[<nic type>] device_addresses``
(17.0.0 semantics) and the XXV710 backplane id 8086:158a."""
import json

import pytest

from cyborg.accelerator.drivers import exceptions
from cyborg.accelerator.drivers.nic import intel as intel_nic
from cyborg.agent import service
from cyborg.tests.unit.accelerator import helpers

MANIFEST = 'intel-nic-xxv710.manifest'
CONFIG = 'nic-xxv710-addresses.conf'


def _pci(address, physnet=None):
    domain, bus, rest = address.split(':')
    device, function = rest.split('.')
    fields = {'bus': bus, 'device': device, 'domain': domain,
              'function': function}
    if physnet:
        fields['physical_network'] = physnet
    return json.dumps(fields, sort_keys=True)


def _device(pf, product_id, functions, traits, physnet):
    """The report of one PF as drivers.md §9 shapes it, offering
    ``functions``."""
    attrs = [{'key': 'rc', 'value': 'CUSTOM_NIC'}] + [
        {'key': 'trait%d' % i, 'value': t} for i, t in enumerate(traits)]
    return {
        'type': 'NIC', 'vendor': '0x8086', 'model': 'miss_model_info',
        'std_board_info': json.dumps({'product_id': product_id}),
        'vendor_board_info': 'miss_vb_info', 'stub': False,
        'controlpath_id': {'cpid_type': 'PCI', 'cpid_info': _pci(pf)},
        'deployable_list': [
            {'name': 'compute-01_%s' % f, 'num_accelerators': 1,
             'driver_name': 'intel', 'attribute_list': attrs,
             'attach_handle_list': [{'attach_type': 'PCI',
                                     'attach_info': _pci(f, physnet),
                                     'in_use': False}]}
            for f in functions]}


def _discover(tmp_path, config=None, text=None):
    host = helpers.make_host(tmp_path / 'root', manifest=MANIFEST)
    conf = helpers.make_conf(config, text=text, tmp_path=tmp_path)
    return intel_nic.IntelNICDriver(host=host, conf=conf).discover()


def _deployables(devices):
    return sorted(dp.name.split('_', 1)[1] for d in devices
                  for dp in d.deployable_list)


def test_device_addresses_name_pfs_and_vfs(tmp_path):
    got = _discover(tmp_path, CONFIG)
    vf_fabric = ['CUSTOM_VF', 'CUSTOM_GTPV1', 'CUSTOM_PHYSNET_FABRIC']
    expected = [
        # A PF address: every VF of that PF.
        _device('0000:3b:00.0', '0x158a',
                ['0000:3b:02.%d' % i for i in range(4)], vf_fabric,
                'physnet-fabric'),
        # VF addresses (one upper-cased in the file): only those VFs; the
        # PF is the control path, its other VFs stay with the host.
        _device('0000:3b:00.1', '0x158a', ['0000:3b:0a.1', '0000:3b:0a.2'],
                ['CUSTOM_VF', 'CUSTOM_PHYSNET_FABRIC'], 'physnet-fabric'),
        # A PF without VFs: the PF itself.
        _device('0000:af:00.0', '0x158b', ['0000:af:00.0'],
                ['CUSTOM_PF', 'CUSTOM_PHYSNET_EDGE'], 'physnet-edge'),
        # 0000:af:00.1 and its VFs are named nowhere: no device at all.
    ]
    assert helpers.canonical(got) == helpers.canonical(expected)


def test_without_device_addresses_every_function_is_offered(tmp_path):
    got = _discover(tmp_path,
                    text='[nic_devices]\nenabled_nic_types = xxv710\n')
    # 8086:158a (backplane) is recognised like 8086:158b (SFP28).
    assert sorted(d.std_board_info for d in got) == [
        '{"product_id": "0x158a"}', '{"product_id": "0x158a"}',
        '{"product_id": "0x158b"}', '{"product_id": "0x158b"}']
    assert _deployables(got) == (
        ['0000:3b:02.%d' % i for i in range(4)]
        + ['0000:3b:0a.%d' % i for i in range(4)]
        + ['0000:af:00.0', '0000:af:0a.0', '0000:af:0a.1'])


def test_pf_and_its_vf_both_named_offers_every_vf(tmp_path):
    got = _discover(tmp_path, text=(
        '[nic_devices]\nenabled_nic_types = a\n'
        '[a]\ndevice_addresses = 0000:af:0a.1,0000:af:00.1,\n'))
    assert _deployables(got) == ['0000:af:0a.0', '0000:af:0a.1']
    [dev] = got
    assert json.loads(dev.controlpath_id.cpid_info)['function'] == '1'


def test_only_vfs_of_one_pf_named(tmp_path):
    got = _discover(tmp_path, text=(
        '[nic_devices]\nenabled_nic_types = a\n'
        '[a]\ndevice_addresses = 0000:af:0a.0\n'))
    [dev] = got
    assert dev.controlpath_id.cpid_info == _pci('0000:af:00.1')
    assert _deployables(got) == ['0000:af:0a.0']
    assert [a.value for a in dev.deployable_list[0].attribute_list] == [
        'CUSTOM_NIC', 'CUSTOM_VF']


def test_unknown_addresses_are_logged_and_ignored(tmp_path, caplog):
    got = _discover(tmp_path, text=(
        '[nic_devices]\nenabled_nic_types = a\n'
        # 0000:1a:00.0 is the onboard X722 (not a known NIC); 0000:5e:00.0
        # does not exist on this host.
        '[a]\ndevice_addresses = 0000:1a:00.0, 0000:5e:00.0, '
        '0000:3b:02.3\n'))
    assert _deployables(got) == ['0000:3b:02.3']
    for address in ('0000:1a:00.0', '0000:5e:00.0'):
        assert ('device_addresses names %s, which is not a function of an '
                'Intel X710/XXV710 NIC' % address) in caplog.text


def test_a_pf_whose_vfs_are_all_excluded_is_not_reported(tmp_path):
    # Only the SR-IOV-off PF is named: the PFs with VFs are not reported,
    # not even as bare control paths without deployables.
    got = _discover(tmp_path, text=(
        '[nic_devices]\nenabled_nic_types = a\n'
        '[a]\ndevice_addresses = 0000:af:00.0\n'))
    assert [d.controlpath_id.cpid_info for d in got] == [
        _pci('0000:af:00.0')]


BAD = ['3b:00.0', '0000:3b:00.8', '0000:3b:00', 'enp59s0f0',
       '0000:3b:00.0.1', '0000:3g:00.0']


@pytest.mark.parametrize('bad', BAD)
def test_malformed_address_fails_when_the_driver_is_created(tmp_path, bad):
    conf = helpers.make_conf(text=(
        '[nic_devices]\nenabled_nic_types = ok, xxv710_sfp\n'
        '[ok]\ndevice_addresses = 0000:3b:00.0\n'
        '[xxv710_sfp]\ndevice_addresses = 0000:af:00.0, %s\n' % bad),
        tmp_path=tmp_path)
    host = helpers.make_host(tmp_path / 'root', manifest=MANIFEST)
    with pytest.raises(exceptions.InvalidNICConfig) as ctx:
        intel_nic.IntelNICDriver(host=host, conf=conf)
    assert str(ctx.value) == (
        'Invalid NIC configuration in [xxv710_sfp] device_addresses: %r is '
        'not a PCI address of the form DDDD:BB:SS.F (for example '
        '0000:3b:00.0)' % bad)


def test_malformed_address_stops_the_agent_at_start(tmp_path):
    """The agent loads its drivers at start-up (internals §1.3): the error
    surfaces there, before the RPC server or any report starts."""
    conf = helpers.make_conf(text=(
        '[agent]\nenabled_drivers = fake_driver, intel_nic_driver\n'
        '[nic_devices]\nenabled_nic_types = xxv710_sfp\n'
        '[xxv710_sfp]\ndevice_addresses = af:00.0\n'), tmp_path=tmp_path)
    host = helpers.make_host(tmp_path / 'root', manifest=MANIFEST)
    agent = service.AgentService('compute-01', conf=conf,
                                 compute_node=('compute-01', 'rp-uuid'),
                                 conductor=object(), host_view=host)
    with pytest.raises(exceptions.InvalidNICConfig,
                       match=r"\[xxv710_sfp\] device_addresses: 'af:00.0'"):
        agent.start()
    assert agent.server is None and agent.manager is None
