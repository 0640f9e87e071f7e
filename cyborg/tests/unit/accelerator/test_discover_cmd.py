from oslo_config import cfg

from cyborg.cmd import discover
from cyborg.conf import agent as agent_conf
from cyborg.conf import default as default_conf
from cyborg.conf import drivers as drivers_conf
from cyborg.tests.unit.accelerator import helpers


def _conf():
    conf = cfg.ConfigOpts()
    default_conf.register_opts(conf)
    agent_conf.register_opts(conf)
    drivers_conf.register_opts(conf)
    return conf


def _write(tmp_path, text):
    path = tmp_path / 'cyborg.conf'
    path.write_text(text)
    return str(path)


def test_table_of_enabled_drivers(tmp_path, capsys):
    host = helpers.make_host(tmp_path / 'root', lspci='nvidia-gpu.nnn.txt')
    path = _write(tmp_path, '[DEFAULT]\nhost = compute-01\n[agent]\n'
                            'enabled_drivers = nvidia_gpu_driver, '
                            'fake_driver\n')
    rc = discover.main(['--config-file', path], conf=_conf(), host=host)
    out, err = capsys.readouterr()
    assert rc == 0 and err == ''
    lines = out.splitlines()
    assert lines[0].split()[:3] == ['DRIVER', 'TYPE', 'VENDOR']
    assert len(lines) == 1 + 3 + 1
    t4 = [ln for ln in lines if '0000:af:00.0' in ln][0].split()
    assert t4[:6] == ['nvidia_gpu_driver', 'GPU', '10de', '0000:af:00.0',
                      'compute-01_0000:af:00.0', 'PGPU']
    assert t4[-1] == 'OWNER_CYBORG,CUSTOM_NVIDIA_1EB8'
    fake = [ln for ln in lines if ln.startswith('fake_driver')][0].split()
    assert fake[4:8] == ['compute-01_FakeDevice', 'FPGA', '16', '16']
    # Only lspci ran, in this process: nothing else touched.
    assert host._runner.calls == [['lspci', '-nnn', '-D']]


def test_json_output_and_failing_driver(tmp_path, capsys):
    import json
    host = helpers.make_host(tmp_path / 'root')
    path = _write(tmp_path, '[DEFAULT]\nhost = compute-01\n[agent]\n'
                            'enabled_drivers = bogus, fake_driver\n'
                            '[pci]\npassthrough_whitelist = nope\n')
    conf = _conf()
    rc = discover.main(['--config-file', path, '--json'], conf=conf,
                       host=host)
    out, err = capsys.readouterr()
    assert rc == 1
    assert 'bogus: Found an invalid driver: bogus' in err
    data = json.loads(out)
    assert list(data) == ['fake_driver']
    assert data['fake_driver'][0]['vendor'] == '0xABCD'


def test_failing_discovery_is_reported_not_raised(tmp_path, capsys):
    host = helpers.make_host(tmp_path / 'root',
                             lspci='generic-pci-sim.nnn.txt')
    path = _write(tmp_path, '[agent]\nenabled_drivers = pci_driver\n'
                            '[pci]\npassthrough_whitelist = nope\n')
    rc = discover.main(['--config-file', path], conf=_conf(), host=host)
    out, err = capsys.readouterr()
    assert rc == 1
    assert 'pci_driver: discovery failed: PciConfigInvalidWhitelist' in err
    assert out.splitlines() == [out.splitlines()[0]]  # header only
