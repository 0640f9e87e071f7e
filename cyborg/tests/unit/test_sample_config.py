"""The sample-file generators work with our generator inputs.

``tox -e genconfig`` and ``tox -e genpolicy`` run the same two tools from
the command line; here they run in-process so that a broken option or
policy module fails the unit tests, not just a tox env nobody ran.
"""
import pathlib
import tempfile
import unittest

from oslo_config import cfg
from oslo_config import generator as config_generator
from oslo_policy import generator as policy_generator

ROOT = pathlib.Path(__file__).resolve().parents[3]
ETC = ROOT / 'etc' / 'cyborg'


class SampleGeneratorsTest(unittest.TestCase):

    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.tmp = pathlib.Path(tmp.name)

    def test_config_sample(self):
        out = self.tmp / 'cyborg.conf.sample'
        config_generator.main(args=[
            '--config-file', str(ETC / 'cyborg-config-generator.conf'),
            '--output-file', str(out)])
        text = out.read_text()
        for section in ('[DEFAULT]', '[api]', '[agent]', '[database]',
                        '[placement]', '[nova]', '[glance]',
                        '[keystone_authtoken]', '[oslo_policy]',
                        '[oslo_messaging_rabbit]', '[cors]',
                        '[oslo_middleware]', '[oslo_concurrency]',
                        '[conductor]', '[coordination]'):
            self.assertIn('\n%s\n' % section, '\n' + text)
        for option in ('public_endpoint', 'enabled_drivers', 'host_ip',
                       'transport_url', 'connection', 'heartbeat_timeout',
                       'backend_url'):
            self.assertIn('#%s = ' % option, text)
        # Our policy defaults (decisions.md Q16) reach the sample.
        self.assertIn('#enforce_new_defaults = true', text)

    def test_policy_sample(self):
        out = self.tmp / 'policy.yaml.sample'
        policy_generator.generate_sample(
            args=['--config-file', str(ETC / 'cyborg-policy-generator.conf'),
                  '--output-file', str(out)],
            conf=cfg.ConfigOpts())
        text = out.read_text()
        for rule in ('cyborg:arq:create', 'cyborg:arq:update',
                     'cyborg:device_profile:get_one',
                     'cyborg:device:enable', 'cyborg:deployable:program',
                     'cyborg:attribute:delete'):
            self.assertIn('#"%s":' % rule, text)

    def test_generator_inputs_name_known_namespaces(self):
        from importlib import metadata
        known = {ep.name for ep in
                 metadata.entry_points(group='oslo.config.opts')}
        conf = (ETC / 'cyborg-config-generator.conf').read_text()
        wanted = [line.split('=', 1)[1].strip()
                  for line in conf.splitlines()
                  if line.startswith('namespace')]
        self.assertIn('cyborg', wanted)
        self.assertEqual([], sorted(set(wanted) - known))
