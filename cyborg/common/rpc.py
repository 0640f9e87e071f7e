"""oslo.messaging plumbing shared by the conductor, the agent and the API.

Contexts travel as dictionaries and come back as ``RequestContext``;
cyborg's own exceptions are re-raised on the caller with their class (and so
their HTTP status). ``transport_url = fake://`` gives the in-process
transport used by the standalone mode and the tests.
"""
import threading

import oslo_messaging as messaging
from oslo_messaging.rpc import dispatcher

from cyborg import context as cyborg_context
from cyborg.common import exception
from cyborg.conf import CONF

CONTROL_EXCHANGE = 'cyborg'
ALLOWED_EXMODS = [exception.__name__]

_lock = threading.Lock()
_transport = None


def get_transport(conf=CONF):
    global _transport
    with _lock:
        if _transport is None:
            messaging.set_transport_defaults(CONTROL_EXCHANGE)
            _transport = messaging.get_rpc_transport(
                conf, allowed_remote_exmods=ALLOWED_EXMODS)
        return _transport


def cleanup():
    global _transport
    with _lock:
        if _transport is not None:
            _transport.cleanup()
        _transport = None


class ContextSerializer(messaging.NoOpSerializer):
    def serialize_context(self, context):
        return context.to_dict()

    def deserialize_context(self, context):
        return cyborg_context.RequestContext.from_dict(context)


def get_client(target, version_cap=None, timeout=None):
    return messaging.get_rpc_client(get_transport(), target,
                                    version_cap=version_cap,
                                    serializer=ContextSerializer(),
                                    timeout=timeout)


def get_server(target, endpoints):
    # No executor argument: oslo.messaging deprecates it and picks the
    # threading executor itself when eventlet has not patched threads (and
    # no service process imports eventlet).
    access_policy = dispatcher.DefaultRPCAccessPolicy
    return messaging.get_rpc_server(get_transport(), target, endpoints,
                                    serializer=ContextSerializer(),
                                    access_policy=access_policy)
