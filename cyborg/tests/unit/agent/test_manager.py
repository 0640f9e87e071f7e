"""The agent manager: report errors are logged, RPC methods validate."""
from oslo_messaging.rpc import dispatcher
import pytest

from cyborg import context
from cyborg.accelerator.drivers import fake
from cyborg.agent import manager
from cyborg.agent import resource_tracker
from cyborg.common import exception
from cyborg.conf import CONF

IDENTITY = {'host': 'agent-1', 'compute_node_name': 'cn-1',
            'compute_node_rp_uuid': 'u'}


class Conductor:
    def __init__(self, error=None):
        self.error = error
        self.calls = []

    def report_data(self, ctx, hostname, payload):
        self.calls.append((hostname, payload))
        if self.error:
            raise self.error
        return {'added': 0}


def _raises(cls, fn, *args):
    """Expected exceptions are wrapped by oslo.messaging's decorator."""
    with pytest.raises(dispatcher.ExpectedException) as info:
        fn(*args)
    assert isinstance(info.value.exc_info[1], cls), info.value.exc_info


def _manager(conductor, image_fetcher=None):
    tracker = resource_tracker.ResourceTracker(
        [('fake_driver', fake.FakeDriver(conf=CONF))])
    return manager.AgentManager(tracker, conductor, IDENTITY,
                                image_fetcher=image_fetcher)


def test_report_sends_hostname_and_identity():
    conductor = Conductor()
    mgr = _manager(conductor)
    assert mgr.update_available_resource(context.get_admin_context()) == {
        'added': 0}
    hostname, payload = conductor.calls[0]
    assert hostname == 'cn-1'
    assert payload['agent'] == IDENTITY
    assert mgr.reports == 1


@pytest.mark.parametrize('error', [
    exception.PlacementResourceProviderNotFound(resource_provider='cn-1'),
    RuntimeError('conductor down')])
def test_report_errors_are_logged(caplog, error):
    mgr = _manager(Conductor(error))
    assert mgr.update_available_resource(context.get_admin_context()) is None
    assert mgr.reports == 0
    assert 'report' in caplog.text.lower() or 'usage' in caplog.text


def test_fpga_program_validates_uuid():
    mgr = _manager(Conductor())
    _raises(exception.InvalidUUID, mgr.fpga_program, None, {},
            'not-a-uuid', 'fake')


def test_fpga_program_uses_driver_by_tag(tmp_path):
    fetched = []

    def fetch(ctx, image, path):
        fetched.append((image, path))
    mgr = _manager(Conductor(), image_fetcher=fetch)
    mgr.update_available_resource(context.get_admin_context())
    image = '5b1b6f5a-3c1e-4a3e-9c55-3f7c8b0c2a11'
    assert mgr.fpga_program(None, {'cpid_type': 'PCI'}, image, 'fake') is \
        True
    assert fetched[0][0] == image and fetched[0][1].endswith('.gbs')
    _raises(exception.ServerError, mgr.fpga_program, None, {}, image,
            'xilinx')


def test_mdev_errors_are_cyborg_errors():
    mgr = _manager(Conductor())
    _raises(exception.ServerError, mgr.create_vgpu_mdev, None,
            'bad-address', 'nvidia-1', '5b1b6f5a-3c1e-4a3e-9c55-3f7c8b0c2a11')
