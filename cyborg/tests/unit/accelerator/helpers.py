"""Test helpers: fake hosts built from the fixture manifests, canned
command output, configuration from the fixture snippets, and the expected
driver trees."""
import json
import os

from oslo_config import cfg

from cyborg.accelerator.drivers import host as host_mod
from cyborg.conf import agent as agent_conf
from cyborg.conf import default as default_conf
from cyborg.conf import drivers as drivers_conf

FIXTURES = os.path.abspath(os.path.join(
    os.path.dirname(__file__), '..', '..', 'fixtures', 'drivers'))
HOSTNAME = 'compute-01'


def fixture_path(*parts):
    return os.path.join(FIXTURES, *parts)


def load_manifest(manifest_path, root):
    """Materialise a sysfs manifest under ``root``.

    One record per line; blank lines and ``#`` comments are ignored:
    ``dir <path>``, ``file <path>`` (empty), ``file <path> <content>``
    (content unicode-escape decoded, newline appended) and
    ``link <path> -> <target>`` (created after everything else).
    """
    links = []
    with open(manifest_path, encoding='utf-8') as fh:
        for raw in fh:
            line = raw.rstrip('\n')
            if not line.strip() or line.lstrip().startswith('#'):
                continue
            kind, _, rest = line.partition(' ')
            rest = rest.lstrip(' ')
            if kind == 'dir':
                os.makedirs(os.path.join(root, rest), exist_ok=True)
            elif kind == 'file':
                path, _, content = rest.partition(' ')
                full = os.path.join(root, path)
                os.makedirs(os.path.dirname(full), exist_ok=True)
                text = (content.encode().decode('unicode_escape')
                        if content else '')
                with open(full, 'w', encoding='utf-8') as out:
                    out.write(text + '\n' if text else '')
            elif kind == 'link':
                path, _, target = rest.partition(' -> ')
                links.append((path, target))
            else:
                raise ValueError('bad manifest record: %r' % line)
    for path, target in links:
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        os.symlink(target, full)


class FakeRunner:
    """Canned command output keyed by argv; records every call."""

    def __init__(self, outputs=None, default_rc=127):
        self.outputs = {tuple(k): v for k, v in (outputs or {}).items()}
        self.default_rc = default_rc
        self.calls = []

    def __call__(self, argv):
        self.calls.append(list(argv))
        out = self.outputs.get(tuple(argv))
        if out is None:
            return self.default_rc, '', 'no canned output for %s' % argv
        if isinstance(out, tuple):
            return out
        return 0, out, ''


def read_fixture(*parts):
    with open(fixture_path(*parts), encoding='utf-8') as fh:
        return fh.read()


def make_host(tmp_path, manifest=None, lspci=None, lspci_args=('-nnn', '-D'),
              outputs=None):
    """A HostView over ``tmp_path`` with an optional sysfs manifest and
    canned ``lspci`` output (a fixture name or literal text)."""
    root = str(tmp_path)
    os.makedirs(os.path.join(root, 'sys'), exist_ok=True)
    if manifest:
        load_manifest(fixture_path('sysfs', manifest), root)
    canned = dict(outputs or {})
    if lspci is not None:
        text = (read_fixture('lspci', lspci)
                if lspci.endswith('.txt') else lspci)
        canned[('lspci',) + tuple(lspci_args)] = text
    runner = FakeRunner(canned)
    return host_mod.HostView(root=root, runner=runner, hostname=HOSTNAME,
                             privileged=False)


def make_conf(config=None, text=None, tmp_path=None):
    """A fresh ConfigOpts with the driver options, reading a fixture config
    snippet (``config/<name>``) and/or literal config ``text`` (written
    under ``tmp_path``)."""
    conf = cfg.ConfigOpts()
    default_conf.register_opts(conf)
    agent_conf.register_opts(conf)
    drivers_conf.register_opts(conf)
    files = [fixture_path('config', config)] if config else []
    if text is not None:
        path = os.path.join(str(tmp_path), 'extra.conf')
        with open(path, 'w', encoding='utf-8') as fh:
            fh.write(text)
        files.append(path)
    conf(args=[], project='cyborg', default_config_files=files)
    conf.set_override('host', HOSTNAME)
    return conf


def load_expected(name):
    with open(fixture_path('expected', name), encoding='utf-8') as fh:
        return json.load(fh)['devices']


def canonical(devices):
    """Devices as dicts, sorted by cpid_info, deployables sorted by name;
    attribute and attach-handle order is kept (it is significant)."""
    out = []
    for dev in devices:
        d = dev.to_dict() if hasattr(dev, 'to_dict') else json.loads(
            json.dumps(dev))
        d['deployable_list'] = sorted(
            d['deployable_list'], key=lambda dp: dp['name'])
        out.append(d)
    return sorted(out, key=lambda d: d['controlpath_id']['cpid_info'])


def find_device(devices, cpid_info_substring):
    return [d for d in canonical(devices)
            if cpid_info_substring in d['controlpath_id']['cpid_info']]
