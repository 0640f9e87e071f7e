from cyborg.accelerator.drivers import fake
from cyborg.tests.unit.accelerator import helpers


def test_fake_driver_matches_fixture_exactly(tmp_path):
    driver = fake.FakeDriver(host=helpers.make_host(tmp_path),
                             conf=helpers.make_conf())
    got = [d.to_dict() for d in driver.discover()]
    assert got == helpers.canonical(helpers.load_expected('fake.json'))
    # The Tempest plugin compares these strings byte for byte.
    dev = got[0]
    assert dev['controlpath_id']['cpid_info'] == (
        '{"domain":"0000","bus":"0c","device":"00","function":"0"}')
    handles = dev['deployable_list'][0]['attach_handle_list']
    assert handles[-1]['attach_info'] == (
        '{"domain": "0000", "bus": "0c", "device": "2", "function": "0"}')


def test_fake_driver_sanitises_host_name(tmp_path):
    conf = helpers.make_conf()
    conf.set_override('host', 'node-1.example.org')
    driver = fake.FakeDriver(host=helpers.make_host(tmp_path), conf=conf)
    [dev] = driver.discover()
    assert dev.deployable_list[0].name == 'node-1_example_org_FakeDevice'


def test_fake_program_and_stats(tmp_path):
    driver = fake.FakeDriver(host=helpers.make_host(tmp_path),
                             conf=helpers.make_conf())
    assert driver.program({'cpid_type': 'PCI', 'cpid_info': {}}, '/x') is True
    assert driver.get_stats() == {}
