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


def test_fake_driver_more_cards(tmp_path):
    conf = helpers.make_conf(text='[fake_driver]\nnum_devices = 3\n'
                                  'num_accelerators = 4\n',
                             tmp_path=tmp_path)
    driver = fake.FakeDriver(host=helpers.make_host(tmp_path), conf=conf)
    devs = [d.to_dict() for d in driver.discover()]
    # The first card is the upstream one, but for its accelerator count.
    default = fake.FakeDriver(host=helpers.make_host(tmp_path),
                              conf=helpers.make_conf()).discover()
    first = default[0].to_dict()
    first['deployable_list'][0]['num_accelerators'] = 4
    del first['deployable_list'][0]['attach_handle_list'][4:]
    assert devs[0] == first
    assert [d['controlpath_id']['cpid_info'] for d in devs] == [
        '{"domain":"0000","bus":"%s","device":"00","function":"0"}' % bus
        for bus in ('0c', '0d', '0e')]
    names = [d['deployable_list'][0]['name'] for d in devs]
    assert names == ['%s_FakeDevice%s' % (helpers.HOSTNAME, n)
                     for n in ('', '1', '2')]
    infos = [h['attach_info'] for d in devs
             for h in d['deployable_list'][0]['attach_handle_list']]
    assert len(infos) == len(set(infos)) == 12
    assert all(d['deployable_list'][0]['num_accelerators'] == 4
               for d in devs)


def test_fake_driver_registers_its_options(tmp_path):
    from oslo_config import cfg
    conf = cfg.ConfigOpts()
    conf.register_opt(cfg.StrOpt('host', default='h'))
    conf(args=[])
    [dev] = fake.FakeDriver(host=helpers.make_host(tmp_path),
                            conf=conf).discover()
    assert dev.deployable_list[0].num_accelerators == 16
