"""oslo.messaging plumbing shared by the conductor, the agent and the API.

Contexts travel as dictionaries and come back as ``RequestContext``;
cyborg's own exceptions are re-raised on the caller with their class (and so
their HTTP status). ``transport_url = fake://`` gives the in-process
transport used by the standalone mode and the tests.

An error raised on another service arrives with that service's traceback
appended to ``str()`` (a cyborg error, rebuilt as a ``<Class>_Remote``
subclass), as itself with message and traceback as its first argument (a
built-in exception) or as an ``oslo_messaging.RemoteError`` (anything
else, its text and traceback inside). :func:`remote_trace` gives that
traceback for the log; :func:`local_copy` rebuilds a cyborg error as if
raised here, so that passing it on (or formatting it into another message)
carries no traceback further.
"""
import threading

import oslo_messaging as messaging
from oslo_messaging.rpc import dispatcher

from cyborg import context as cyborg_context
from cyborg.common import exception
from cyborg.conf import CONF

CONTROL_EXCHANGE = 'cyborg'
ALLOWED_EXMODS = [exception.__name__]
_REMOTE = '_Remote'
_TRACEBACK = 'Traceback (most recent call last)'

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


def _builtin_trace(exc):
    """A built-in exception raised on another service is rebuilt as
    itself, its first argument replaced by message + traceback."""
    first = exc.args[0] if exc.args else None
    if isinstance(first, str) and _TRACEBACK in first:
        return first
    return ''


def is_remote(exc):
    """True for an error raised on another service."""
    return (isinstance(exc, messaging.RemoteError) or
            type(exc).__name__.endswith(_REMOTE) or
            bool(_builtin_trace(exc)))


def remote_trace(exc):
    """The other service's traceback that came with ``exc``, or ''."""
    if isinstance(exc, messaging.RemoteError):
        trace = exc.traceback
        if isinstance(trace, (list, tuple)):
            trace = ''.join(trace)
        return '%s: %s\n%s' % (exc.exc_type, exc.value, trace or '')
    if isinstance(exc, exception.CyborgException):
        if is_remote(exc):
            return str(exc)[len(exc.message):].strip()
        return ''
    trace = _builtin_trace(exc)
    return '%s: %s' % (type(exc).__name__, trace) if trace else ''


def local_copy(exc):
    """A cyborg error raised on another service, rebuilt with its class,
    message and kwargs but without the remote traceback; any other
    exception is returned as is."""
    if not isinstance(exc, exception.CyborgException) or not is_remote(exc):
        return exc
    cls = type(exc).__mro__[1]
    copy = cls(message=exc.message.splitlines()[0] if exc.message else None,
               **exc.kwargs)
    copy.kwargs = dict(exc.kwargs)
    return copy
