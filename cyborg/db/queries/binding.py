"""The database half of binding: short transactions, never held across RPC.

A bind is three steps (``bind.py``): *reserve* (this module, one
transaction: every check, the attach-handle claims and the move to
``BindStarted``), *prepare* (agent RPCs, no transaction open) and
*resolve* (this module, one transaction: ``Bound`` or roll back /
``BindFailed``, releasing handles, and writing the Nova event of every
resolved ARQ to the outbox, ``outbox.py``).

Attach handles are claimed with a conditional ``UPDATE attach_handles SET
in_use = true WHERE id = :id AND in_use = false``; a lost race (row count
0) moves on to the next free row. Every handle release is tied to a state
move of the ARQ that holds it (``WHERE state = ... AND attach_handle_id =
:handle``), so a handle is released at most once and never after someone
else claimed it again.

:func:`run` wraps each step: deadlocks (MySQL, PostgreSQL) and SQLite's
"database is locked" restart the transaction; on SQLite the conductor's
writers are also serialised in-process, because SQLite has one writer and
a reader upgrading its lock can fail without waiting. On MySQL and
PostgreSQL, :func:`reserve` serialises the binds of one instance with a
per-instance lock (``cyborg.db.locks``).
"""
import dataclasses
import json
import logging
import random
import threading
import time

import sqlalchemy as sa

from cyborg.common import exception
from cyborg.common import state_machine as sm
from cyborg.common import states
from cyborg.db import locks
from cyborg.db import models
from cyborg.db import session
from cyborg.db.queries import arqs as arq_queries
from cyborg.db.queries import outbox

LOG = logging.getLogger(__name__)

_RETRIES = 8
_sqlite_lock = threading.RLock()
MAINTAINING = 'maintaining'
FPGA_RESOURCE = 'resources:FPGA'
BITSTREAM_KEY = 'accel:bitstream_id'
FUNCTION_KEY = 'accel:function_id'
PREVIOUS_FIELDS = ('hostname', 'device_rp_uuid', 'instance_uuid',
                   'project_id', 'state_reason')


@dataclasses.dataclass
class Work:
    """One ARQ of a bind, as reserved: everything later steps need."""
    arq_id: int
    uuid: str
    instance_uuid: str
    previous: dict
    handle_id: int
    handle_uuid: str
    attach_type: str
    attach_info: str
    deployable_id: int
    deployable_uuid: str
    driver_name: str | None
    device_id: int
    device_hostname: str
    bitstream_id: str | None = None
    controlpath: dict | None = None
    function_id: str | None = None
    rp_uuid: str | None = None

    @property
    def programs(self):
        """True when the FPGA is programmed before the bind (§5.6)."""
        return bool(self.bitstream_id or self.function_id)

    def to_dict(self):
        return dataclasses.asdict(self)


def owner_marker(host):
    """``state_reason`` of an ARQ while conductor ``host`` binds it."""
    return 'bind in progress on conductor %s' % host


def delete_marker(host):
    """``state_reason`` of a ``Deleting`` ARQ while conductor ``host``
    deletes it (``conductor/bind/recovery.py`` finishes it if ``host``
    dies first)."""
    return 'delete in progress on conductor %s' % host


def unbind_marker(host):
    """``state_reason`` of an ARQ while conductor ``host`` asks an agent
    to remove its mediated device for an unbind."""
    return 'unbind in progress on conductor %s' % host


def _is_sqlite():
    try:
        return session.get_engine().dialect.name == 'sqlite'
    except Exception:  # noqa: BLE001 - no engine yet: be safe
        return True


def run(context, fn, *args, **kwargs):
    """``fn(context, *args)`` in one writer transaction, retried on
    deadlock; cyborg exceptions roll back and propagate."""
    lock = _sqlite_lock if _is_sqlite() else None
    for attempt in range(_RETRIES):
        try:
            if lock is not None:
                lock.acquire()
            try:
                with session.writer.using(context):
                    return fn(context, *args, **kwargs)
            finally:
                if lock is not None:
                    lock.release()
        except Exception as exc:
            if not session.is_busy(exc) or attempt == _RETRIES - 1:
                raise
            LOG.debug('Retrying %s after %s', fn.__name__, exc)
            time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))


# -- reads --------------------------------------------------------------

def load(context, uuid):
    arq = context.session.scalars(arq_queries.scoped(
        context, sa.select(models.ExtArq)).where(
            models.ExtArq.uuid == uuid)).first()
    if arq is None:
        raise exception.ExtArqNotFound(uuid=uuid)
    return arq


def _current_state(context, arq_id):
    """The committed state now, not the transaction's snapshot: a locking
    read (MySQL's REPEATABLE READ would otherwise show the state this
    transaction started with, hiding the concurrent bind that won)."""
    return context.session.scalars(
        sa.select(models.ExtArq.state).where(models.ExtArq.id == arq_id)
        .with_for_update()).first()


def _profile_group(context, arq):
    text = context.session.scalars(
        sa.select(models.DeviceProfile.profile_json).where(
            models.DeviceProfile.id == arq.device_profile_id)).first()
    try:
        groups = json.loads(text or '{}').get('groups') or []
        group = groups[arq.device_profile_group_id]
    except (ValueError, AttributeError, IndexError, TypeError):
        return {}
    return group if isinstance(group, dict) else {}


def _to_program(group, deployable, uuid):
    """``(bitstream, function)``: what to program before binding (§5.6).

    ``accel:bitstream_id`` is a Glance image id, skipped when the FPGA
    already holds it; ``accel:function_id`` names a function whose image
    Glance finds by property, always programmed. Both set -> 400. Not an
    FPGA group, or neither set -> ``(None, None)``.
    """
    resources = [k for k in group if k.startswith('resources:')]
    if not resources or resources[0] != FPGA_RESOURCE:
        return None, None
    bitstream, function = group.get(BITSTREAM_KEY), group.get(FUNCTION_KEY)
    if bitstream and function:
        raise exception.InvalidParameterValue(
            err='ARQ %s: the device profile group sets both %s and %s.'
                % (uuid, BITSTREAM_KEY, FUNCTION_KEY))
    if function:
        return None, str(function)
    if not bitstream or bitstream == deployable.bitstream_id:
        return None, None
    return bitstream, None


def _controlpath(context, device_id):
    cpid = context.session.scalars(
        sa.select(models.ControlpathID).where(
            models.ControlpathID.device_id == device_id)
        .order_by(models.ControlpathID.id)).first()
    if cpid is None:
        return None
    try:
        info = json.loads(cpid.cpid_info)
    except ValueError:
        info = cpid.cpid_info
    return {'uuid': cpid.uuid, 'device_id': cpid.device_id,
            'cpid_type': cpid.cpid_type, 'cpid_info': info}


# -- reserve ------------------------------------------------------------

def _free(handle):
    return sa.or_(handle.in_use.is_(None), handle.in_use == sa.false())


def claim_handle(context, deployable_id):
    """Mark one free handle of the deployable in use; the row, or raise
    :class:`AttachHandleNotFound` when none is left."""
    ah = models.AttachHandle
    tried = set()
    while True:
        query = (sa.select(ah.id).where(ah.deployable_id == deployable_id,
                                        _free(ah)).order_by(ah.id).limit(64))
        if tried:
            query = query.where(ah.id.not_in(tried))
        candidates = list(context.session.scalars(query))
        if not candidates:
            raise exception.AttachHandleNotFound(deployable_id=deployable_id)
        # Start at a random row so that concurrent binds rarely collide.
        start = random.randrange(len(candidates))
        for handle_id in candidates[start:] + candidates[:start]:
            tried.add(handle_id)
            result = context.session.execute(
                sa.update(ah).where(ah.id == handle_id, _free(ah))
                .values(in_use=True)
                .execution_options(synchronize_session=False))
            if result.rowcount == 1:
                return context.session.execute(
                    sa.select(ah.uuid, ah.attach_type, ah.attach_info)
                    .where(ah.id == handle_id)).one(), handle_id


def check_instance_free(context, instance_uuid):
    query = arq_queries.scoped(context, sa.select(models.ExtArq.id)).where(
        models.ExtArq.instance_uuid == instance_uuid).limit(1)
    if context.session.scalars(query).first() is not None:
        raise exception.PatchError(
            reason='Instance %s already has accelerator requests. Cannot '
                   'bind additional ARQs.' % instance_uuid)


def _deployable(context, rp_uuid):
    dep_t = models.Deployable
    dep = context.session.scalars(
        sa.select(dep_t).where(dep_t.rp_uuid == rp_uuid)
        .order_by(dep_t.id).limit(1)).first()
    if dep is None:
        raise exception.DeployableNotFound(key='resource provider uuid',
                                           value=rp_uuid)
    return dep


def reserve(context, entries, host):
    """Check and claim for every ``(uuid, fields)``; all or nothing.

    Returns a :class:`Work` per entry. Raises (and so rolls back) on an
    unknown ARQ (404), a wrong state (409), an unknown provider (404), a
    disabled device (409) or no free attach handle (404).

    Binds of one instance are serialised by a lock on the instance, taken
    as the transaction's first statement (``cyborg.db.locks``): without
    it, on MySQL and PostgreSQL, concurrent binds of different ARQs to
    the same instance could all pass :func:`check_instance_free`.
    """
    instance_uuid = entries[0][1]['instance_uuid']
    locks.transaction_lock(context.session, 'bind-instance:%s'
                           % instance_uuid)
    check_instance_free(context, instance_uuid)
    return [_reserve_one(context, uuid, fields, host)
            for uuid, fields in entries]


def _reserve_one(context, uuid, fields, host):
    arq = load(context, uuid)
    sm.check(arq.state, states.BIND_STARTED, uuid)
    dep = _deployable(context, fields['device_rp_uuid'])
    device = context.session.get(models.Device, dep.device_id)
    if device.status == MAINTAINING:
        raise exception.DeviceDisabled(device=device.uuid, uuid=uuid)
    bitstream, function = _to_program(_profile_group(context, arq), dep,
                                      uuid)
    (h_uuid, h_type, h_info), handle_id = claim_handle(context, dep.id)
    previous = {name: getattr(arq, name) for name in PREVIOUS_FIELDS}
    previous['state'] = arq.state
    values = dict(fields, attach_handle_id=handle_id, deployable_id=dep.id,
                  state_reason=owner_marker(host))
    if not sm.move(context.session, arq.id, states.BIND_STARTED, values):
        sm.check(_current_state(context, arq.id), states.BIND_STARTED, uuid)
        raise exception.ExtArqNotFound(uuid=uuid)
    return Work(arq_id=arq.id, uuid=uuid,
                instance_uuid=fields['instance_uuid'], previous=previous,
                handle_id=handle_id, handle_uuid=h_uuid, attach_type=h_type,
                attach_info=h_info, deployable_id=dep.id,
                deployable_uuid=dep.uuid, driver_name=dep.driver_name,
                device_id=device.id, device_hostname=device.hostname,
                bitstream_id=bitstream, function_id=function,
                rp_uuid=dep.rp_uuid,
                controlpath=(_controlpath(context, device.id)
                             if bitstream or function else None))


def note_refusal(context, uuids, reason):
    """Record why a refused bind was refused (the ARQs are unchanged)."""
    arq = models.ExtArq
    context.session.execute(
        sa.update(arq).where(arq.uuid.in_(uuids),
                             arq.state.in_(states.BINDABLE))
        .values(state_reason=reason[:2000])
        .execution_options(synchronize_session=False))


# -- resolve ------------------------------------------------------------

class _Lost(Exception):
    """An ARQ left BindStarted (or its handle) while we prepared it."""


def _holds(work):
    return [models.ExtArq.attach_handle_id == work.handle_id]


def release_handles(context, handle_ids):
    handle_ids = [h for h in handle_ids if h is not None]
    if handle_ids:
        ah = models.AttachHandle
        context.session.execute(
            sa.update(ah).where(ah.id.in_(handle_ids)).values(in_use=False)
            .execution_options(synchronize_session=False))


def nova_events(context, resolved):
    """Queue one Nova event per ``(server uuid, ARQ uuid, state)`` of
    ARQs this transaction resolved (``Bound`` -> ``completed``,
    ``BindFailed`` -> ``failed``): the outbox row commits with the move.
    """
    outbox.add(context, [
        {'server_uuid': server, 'tag': uuid, 'status': sm.NOVA_STATUS[state]}
        for server, uuid, state in resolved])


def mark_bound(context, works):
    """Every ARQ -> Bound, or none (raises :class:`_Lost`); their Nova
    events are queued in the same transaction."""
    for work in works:
        if not sm.move(context.session, work.arq_id, states.BOUND,
                       {'state_reason': None}, where=_holds(work)):
            raise _Lost(work.uuid)
    nova_events(context, [(w.instance_uuid, w.uuid, states.BOUND)
                          for w in works])


def mark_failed(context, works, reason, restore=False):
    """Every ARQ still ours -> back where it was (``restore``, Q13) or
    BindFailed with ``reason``; their handles are released. Returns the
    works that moved. A ``BindFailed`` move queues its Nova event (a
    restored ARQ is not resolved: Nova learns from the PATCH error)."""
    moved = []
    for work in works:
        if restore:
            values = {k: work.previous[k] for k in PREVIOUS_FIELDS}
            values['state_reason'] = reason[:2000]
            target = work.previous['state']
        else:
            values = {'state_reason': reason[:2000]}
            target = states.BIND_FAILED
        values.update(attach_handle_id=None, deployable_id=None)
        if sm.move(context.session, work.arq_id, target, values,
                   where=_holds(work),
                   sources_override={states.BIND_STARTED}):
            moved.append(work)
    release_handles(context, [w.handle_id for w in moved])
    if not restore:
        nova_events(context, [(w.instance_uuid, w.uuid, states.BIND_FAILED)
                              for w in moved])
    return moved


def resolve(context, works, reason=None, restore=False):
    """Bound when ``reason`` is None, else failed; see the two above.

    Returns ``(bound, failed_works)``. A bind whose ARQs changed under
    it (unbound, deleted, failed by the deadline) is failed as a whole.
    """
    if reason is None:
        try:
            run(context, mark_bound, works)
            return True, []
        except _Lost as lost:
            reason = ('ARQ %s changed while it was being bound'
                      % lost.args[0])
    return False, run(context, mark_failed, works, reason, restore=restore)


def states_of(context, arq_ids):
    """{arq id: (uuid, state, instance_uuid)} of the rows still there."""
    arq = models.ExtArq
    rows = context.session.execute(
        sa.select(arq.id, arq.uuid, arq.state, arq.instance_uuid)
        .where(arq.id.in_(arq_ids))).all()
    return {r.id: (r.uuid, r.state, r.instance_uuid) for r in rows}


def record_bitstream(context, deployable_id, bitstream_id):
    """The FPGA of the deployable now holds ``bitstream_id``."""
    dep = models.Deployable
    context.session.execute(
        sa.update(dep).where(dep.id == deployable_id)
        .values(bitstream_id=bitstream_id)
        .execution_options(synchronize_session=False))
