"""The ARQ view: state_reason at 2.4 only, and never a traceback."""
import sys

from oslo_messaging._drivers import common as rpc_common

from cyborg.api.views import arqs as views
from cyborg.common import exception


class _Req:
    def __init__(self, version):
        self.version = version

    def link(self, *parts, rel='self', versioned=True):
        return {'href': '/'.join(('http://x/v2',) + parts), 'rel': rel}


def _row(state, reason):
    return {'uuid': 'u', 'state': state, 'device_profile_name': 'dp',
            'device_profile_group_id': 0, 'hostname': None,
            'device_rp_uuid': None, 'instance_uuid': None,
            'project_id': 'p', 'attach_handle_type': '',
            'attach_handle_uuid': None, 'attach_handle_info': {},
            'created_at': None, 'updated_at': None, 'state_reason': reason}


def _remote_reason():
    """A reason as the bind flow writes it, quoting an exception that came
    back over RPC (oslo.messaging's own serialisation)."""
    try:
        raise exception.AgentUnavailable(host='compute-07')
    except exception.AgentUnavailable:
        data = rpc_common.serialize_remote_exception(sys.exc_info())
    exc = rpc_common.deserialize_remote_exception(
        data, ['cyborg.common.exception'])
    return 'preparing the device failed: %s' % exc


def test_remote_traceback_never_shown():
    reason = _remote_reason()
    assert 'Traceback' in reason        # what the column may hold
    shown = views.arq(_Req((2, 4)), _row('BindFailed', reason))
    assert shown['state_reason'].startswith('preparing the device failed: ')
    assert 'compute-07' in shown['state_reason']
    assert 'Traceback' not in shown['state_reason']
    assert '\n' not in shown['state_reason']
    assert '.py' not in shown['state_reason']


def test_state_reason_only_from_24_and_not_while_binding():
    assert 'state_reason' not in views.arq(_Req((2, 3)),
                                           _row('BindFailed', 'x'))
    assert views.arq(_Req((2, 4)), _row('BindFailed', 'x'))[
        'state_reason'] == 'x'
    assert list(views.arq(_Req((2, 4)), _row('Initial', None)))[-1] == \
        'state_reason'
    assert views.arq(_Req((2, 4)), _row(
        'BindStarted', 'bind in progress on conductor c1'))[
        'state_reason'] is None


def test_public_reason():
    assert views.public_reason(None) is None
    assert views.public_reason('') is None
    assert views.public_reason('one\ntwo') == 'one'
    assert views.public_reason(
        'failed: x Traceback (most recent call last): ...') == 'failed: x'
