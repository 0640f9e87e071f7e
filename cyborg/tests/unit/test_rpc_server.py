"""The RPC server is built the way current oslo.messaging wants it: no
``executor`` argument (deprecated), and the threading executor chosen by
the library because nothing has monkey-patched threads."""
import warnings

import oslo_messaging as messaging

from cyborg import context
from cyborg.common import rpc
from cyborg.conf import CONF


class _Endpoint:
    target = messaging.Target(version='1.0')

    def ping(self, context, value):
        return value


def test_rpc_server_uses_threading_without_deprecation_warning():
    CONF.set_override('transport_url', 'fake://')
    rpc.cleanup()
    try:
        target = messaging.Target(topic='test-rpc-server', server='h1')
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            server = rpc.get_server(target, [_Endpoint()])
        messages = [str(w.message) for w in caught
                    if issubclass(w.category, DeprecationWarning)]
        assert not [m for m in messages if 'executor' in m.lower()], messages
        assert server.executor_type == 'threading'
        server.start()
        try:
            client = rpc.get_client(
                messaging.Target(topic='test-rpc-server', server='h1',
                                 version='1.0'), timeout=10)
            ctx = context.get_admin_context()
            assert client.prepare().call(ctx, 'ping', value=7) == 7
        finally:
            server.stop()
            server.wait()
    finally:
        rpc.cleanup()
        CONF.clear_override('transport_url')
