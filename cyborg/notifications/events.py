"""The hooks: one call at each commit point of the code that changes
state. Each returns at once when notifications are off, and never raises
(``_safe``): a notification problem is logged, the operation goes on.

Publisher: ``cyborg-api:<host>`` for what the API commits itself (ARQ
create, device profile create/delete), ``cyborg-conductor:<host>`` for
the rest; ``<host>`` is ``[DEFAULT] host``.
"""
import functools
import logging

from cyborg.conf import CONF
from cyborg.notifications import base
from cyborg.notifications import loaders
from cyborg.notifications import notifier
from cyborg.notifications import payloads

LOG = logging.getLogger(__name__)

API = 'cyborg-api'
CONDUCTOR = 'cyborg-conductor'
DELETED = 'Deleted'


def _safe(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if not notifier.enabled():
            return None
        try:
            return fn(*args, **kwargs)
        except Exception:  # noqa: BLE001 - never fails the operation
            LOG.exception('Notification hook %s failed', fn.__name__)
            return None
    return wrapper


def _emit(context, cls, payload_cls, mapping, obj, action, phase=None,
          source=CONDUCTOR, priority=base.INFO, **extra):
    payload = payload_cls.from_mapping(mapping, **extra)
    notification = cls(
        priority=priority,
        event_type=base.EventType(object=obj, action=action, phase=phase),
        publisher=base.NotificationPublisher(host=CONF.host, source=source),
        payload=payload)
    notifier.send(context, notification)


def _arq(context, mapping, action, phase=None, exc=None, source=CONDUCTOR,
         **overrides):
    mapping = dict(mapping, **overrides)
    extra = {'fault': base.ExceptionPayload.from_exception(exc)
             if exc is not None else None}
    _emit(context, payloads.AcceleratorRequestNotification,
          payloads.AcceleratorRequestPayload, mapping,
          'accelerator_request', action, phase, source=source,
          priority=base.ERROR if exc is not None else base.INFO, **extra)


def _uuids(items):
    return [i if isinstance(i, str) else i.uuid for i in items]


def _arqs(context, items, action, phase=None, exc=None):
    uuids = _uuids(items)
    rows = loaders.arqs(context, uuids)
    for uuid in uuids:
        if uuid in rows:
            _arq(context, rows[uuid], action, phase, exc)


# -- accelerator requests -----------------------------------------------

@_safe
def arqs_created(context, rows):
    """API: ARQs created (``rows``: the API's ARQ dicts)."""
    for row in rows:
        _arq(context, row, 'create', source=API)


@_safe
def arq_bind_start(context, works):
    _arqs(context, works, 'bind', 'start')


@_safe
def arq_bind_end(context, works):
    _arqs(context, works, 'bind', 'end')


@_safe
def arq_bind_error(context, works, exc):
    """``works``: bind works or ARQ uuids; ``exc``: exception or text."""
    _arqs(context, works, 'bind', 'error', exc=exc)


@_safe
def arq_bind_resolved(context, works, bound, reason=None):
    """A background bind ended: ``bound`` or failed with ``reason``."""
    if bound:
        _arqs(context, works, 'bind', 'end')
    else:
        _arqs(context, works, 'bind', 'error', exc=reason or 'bind failed')


@_safe
def arq_unbind_end(context, uuid):
    _arqs(context, [uuid], 'unbind', 'end')


@_safe
def arq_unbind_error(context, uuid, exc):
    _arqs(context, [uuid], 'unbind', 'error', exc=exc)


@_safe
def arq_snapshot(context, holdings):
    """Before rows are deleted: their payload mappings (for
    :func:`arqs_deleted`)."""
    return loaders.arqs(context, _uuids(holdings))


@_safe
def arqs_deleted(context, snapshot, gone):
    """After the delete committed: one event per ARQ of ``gone``."""
    for uuid in _uuids(gone):
        if snapshot and uuid in snapshot:
            _arq(context, snapshot[uuid], 'delete', 'end', state=DELETED)


# -- device profiles ----------------------------------------------------

def _profile(context, row, action):
    _emit(context, payloads.DeviceProfileNotification,
          payloads.DeviceProfilePayload, loaders.device_profile(row),
          'device_profile', action, source=API)


@_safe
def device_profile_created(context, row):
    _profile(context, row, 'create')


@_safe
def device_profiles_deleted(context, rows):
    for row in rows or ():
        _profile(context, row, 'delete')


# -- devices and deployables ----------------------------------------------

@_safe
def device_enabled(context, device_uuid, enabled):
    mapping = loaders.device(context, device_uuid)
    if mapping is not None:
        _emit(context, payloads.DeviceNotification, payloads.DevicePayload,
              mapping, 'device', 'enable' if enabled else 'disable')


@_safe
def inventory_snapshot(context, hostname):
    """Before a report: the host's devices and deployables."""
    return loaders.host_inventory(context, hostname)


@_safe
def inventory_reported(context, hostname, before):
    """After a report committed (and Placement was synced): one event per
    device and deployable added, changed or removed."""
    if before is None:
        return
    after = loaders.host_inventory(context, hostname)
    kinds = (('device', payloads.DeviceNotification,
              payloads.DevicePayload),
             ('deployable', payloads.DeployableNotification,
              payloads.DeployablePayload))
    for (obj, cls, payload_cls), old, new in zip(kinds, before, after):
        for uuid, mapping in old.items():
            if uuid not in new:
                _emit(context, cls, payload_cls, mapping, obj, 'delete')
        for uuid, mapping in new.items():
            if uuid not in old:
                _emit(context, cls, payload_cls, mapping, obj, 'create')
            elif old[uuid] != mapping:
                _emit(context, cls, payload_cls, mapping, obj, 'update')
