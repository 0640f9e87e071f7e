"""Glance and Placement for tests that program an FPGA during a bind.

A bitstream bind reads the image's metadata from Glance before
programming, then rewrites the provider's ``CUSTOM_FPGA_FUNCTION_ID*``
trait in Placement (internals.md §5.6 steps 4.1, 4.3), so such a test
needs both, even when it is about something else (timing, a killed
conductor). ``Backends`` starts the recording Glance (any token accepted)
and real Placement (a loopback server with ``real_server=True``, for
other processes), points this process's ``CONF`` at them (``configure``)
or gives the configuration lines for other processes (``conf_lines``),
stores images and creates the providers of test devices.
"""
import fixtures

from cyborg.conf import CONF
from cyborg.tests.fixtures import glance as glance_fixture
from cyborg.tests.fixtures import placement as placement_fixture


class Backends(fixtures.Fixture):
    def __init__(self, real_server=False, hostname='compute-1'):
        super().__init__()
        self.real_server = real_server
        self.hostname = hostname

    def _setUp(self):
        self.glance = self.useFixture(glance_fixture.FakeGlance(token=None))
        self.placement = self.useFixture(placement_fixture.PlacementFixture(
            real_server=self.real_server))
        self.compute = self.placement.create_compute_node(self.hostname)

    def image(self, data=b'bitstream', **properties):
        """A new Glance image; returns its id."""
        return self.glance.add_image(data, **properties)

    def provider(self, rp_uuid):
        """Create ``rp_uuid`` under the compute node; returns it."""
        self.placement.client.ensure_provider(
            rp_uuid, 'fpga-%s' % rp_uuid, self.compute['uuid'])
        return rp_uuid

    def configure(self):
        """Point this process's ``[glance]`` and ``[placement]`` here."""
        CONF.set_override('endpoint_override', self.glance.url,
                          group='glance')
        self.addCleanup(CONF.clear_override, 'endpoint_override',
                        group='glance')
        self.placement.configure()
        return self

    def conf_lines(self):
        """The same, as configuration-file lines for other processes."""
        endpoint = self.placement.endpoint
        return ['[glance]', 'endpoint_override = %s' % self.glance.url,
                '[placement]', 'auth_type = admin_token',
                'endpoint = %s' % endpoint,
                'endpoint_override = %s' % endpoint,
                'token = %s' % self.placement.token]
