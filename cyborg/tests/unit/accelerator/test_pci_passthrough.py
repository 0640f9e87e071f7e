import copy

import pytest

from cyborg.accelerator.drivers import exceptions
from cyborg.accelerator.drivers.passthrough import generic
from cyborg.accelerator.drivers.passthrough import whitelist
from cyborg.tests.unit.accelerator import helpers


def _driver(tmp_path, config=None, text=None):
    host = helpers.make_host(tmp_path, manifest='generic-pci-sim.manifest',
                             lspci='generic-pci-sim.nnn.txt')
    conf = helpers.make_conf(config, text=text, tmp_path=tmp_path)
    return generic.PciDriver(host=host, conf=conf)


def test_whitelist_fixture(tmp_path):
    """Named difference from expected/pci-generic-whitelist.json
    (decisions D3.3): the device type is PCI, not GPU."""
    got = _driver(tmp_path, 'pci-whitelist.conf').discover()
    expected = copy.deepcopy(helpers.load_expected(
        'pci-generic-whitelist.json'))
    for dev in expected:
        assert dev['type'] == 'GPU'  # upstream
        dev['type'] = 'PCI'
    assert helpers.canonical(got) == helpers.canonical(expected)


def test_empty_whitelist_reports_nothing(tmp_path):
    drv = _driver(tmp_path)
    assert drv.discover() == helpers.load_expected(
        'pci-generic-empty-whitelist.json') == []
    assert drv.host._runner.calls == []


def _wl(text):
    return '[pci]\n' + ''.join('passthrough_whitelist = %s\n' % t
                               for t in text)


def _addresses(devices):
    return [d.deployable_list[0].name.split('_', 1)[1] for d in devices]


@pytest.mark.parametrize('entries, expected', [
    (['{"vendor_id": "10de"}'], ['0000:af:00.0']),
    (['{"vendor_id": "0x10DE", "product_id": "1eb8"}'], ['0000:af:00.0']),
    (['{"address": "*:02:00.*"}'],
     ['0000:02:00.0', '0000:02:00.1', '0000:02:00.2']),
    (['{"address": ":00.5"}'], []),
    (['{"address": "00:05."}'], ['0000:00:05.0']),
    (['{"address": "01:00.3"}'], ['0000:01:00.3']),
    (['{"address": {"bus": "0[12]", "function": "[34]"}}'],
     ['0000:01:00.3', '0000:01:00.4']),
    (['[{"product_id": "1000"}, {"address": "0000:af:00.0"}]'],
     ['0000:00:03.0', '0000:01:00.0', '0000:02:00.0', '0000:af:00.0']),
    (['{"devname": "eth9"}'], []),
    (['{"vendor_id": "1d55", "physical_network": "x", "tags": 1}',
      '{"address": "0000:00:*.*", "product_id": "1005"}'],
     ['0000:00:05.0', '0000:01:00.0', '0000:01:00.1', '0000:01:00.2',
      '0000:01:00.3', '0000:01:00.4', '0000:02:00.0', '0000:02:00.1',
      '0000:02:00.2']),
])
def test_whitelist_rules(tmp_path, entries, expected):
    got = _driver(tmp_path, text=_wl(entries)).discover()
    assert _addresses(got) == expected


def test_devname_resolves_through_sysfs(tmp_path):
    drv = _driver(tmp_path, text=_wl(['{"devname": "ens1"}']))
    net = tmp_path / 'sys/class/net/ens1'
    net.mkdir(parents=True)
    (net / 'device').symlink_to(
        tmp_path / 'sys/devices/pci0000:00/0000:00:1c.1/0000:02:00.1')
    assert _addresses(drv.discover()) == ['0000:02:00.1']


def test_known_vendor_gets_vendor_trait(tmp_path):
    [dev] = _driver(tmp_path, text=_wl(['{"vendor_id": "10de"}'])).discover()
    dep = dev.deployable_list[0]
    assert dep.driver_name == 'NVIDIA'
    assert [(a.key, a.value) for a in dep.attribute_list] == [
        ('rc', 'CUSTOM_PCI'), ('trait0', 'OWNER_CYBORG'),
        ('trait1', 'CUSTOM_PCI_NVIDIA'),
        ('trait2', 'CUSTOM_PCI_PRODUCT_ID_1EB8')]


@pytest.mark.parametrize('entry', [
    'not json', '"a string"', '[1]', '{"vendor_id": "xyz"}',
    '{"address": "0000:01:00.0", "devname": "eth0"}',
    '{"address": "1:2:3:4"}', '{"address": 5}',
    '{"address": {"bus": "("}}', '{"address": {"vendor": "1"}}',
    '{"address": "0000:01:00.9"}',
])
def test_invalid_whitelist(tmp_path, entry):
    with pytest.raises(exceptions.PciConfigInvalidWhitelist):
        _driver(tmp_path, text=_wl([entry])).discover()


def test_glob_normalises_fields():
    spec = whitelist.parse(None, ['{"address": "0:1:0.1"}'])[0]
    assert spec.match('0000:01:00.1', '1d55', '1001')
    assert not spec.match('0000:01:00.2', '1d55', '1001')
