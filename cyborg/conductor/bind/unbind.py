"""Unbind (internals.md §5.7) and delete (§5.8) with our decisions (D3.4).

Unbind of one ARQ: read what it holds; if that is an MDEV handle, ask the
agent that owns the device (D3.1) to remove the mediated device; then, in
one transaction, ARQ -> ``Unbound`` (hostname, provider, instance,
handle and deployable cleared; ``project_id`` kept) and the handle is
released. If the agent cannot remove the mdev the ARQ goes to
``UnbindFailed`` and keeps its handle (a handle whose mdev still exists
must not be handed out again); the PATCH fails with 500 and a later unbind
or delete finishes the job. Unbinding ``Initial`` or ``Unbound`` ARQs
succeeds (api.md §9.7).

Undo (Q13: a PATCH is all or nothing): each unbind returns an
:class:`Undo` with what the ARQ held and its fields before; when a later
part of the same PATCH fails, :func:`restore` puts every ARQ that was
``Initial``, ``Bound`` or ``BindFailed`` back as it was, claiming its
attach handle again (``Unbound`` -> ``BindStarted`` -> its old state in
one transaction, so only edges of the state table are used) and asking
the agent to create its mediated device again. An ARQ that moved on in
the meantime, or whose handle was claimed by another bind, stays
``Unbound`` (logged); one whose mdev cannot be re-created keeps its
state, with the failure in ``state_reason``.

Delete: every ARQ named (``?arqs=``, all must exist: 404 and nothing
changed otherwise) or every visible ARQ of the instance (``?instance=``,
idempotent) moves to ``Deleting`` in one transaction, so no bind can pick
it up any more; mdevs are removed; then handles are released and rows
deleted in one transaction. An ARQ whose mdev could not be removed stays
``Deleting`` with its handle, and the call fails; repeating the delete
finishes it.

The conductor doing a delete names itself in the rows' ``state_reason``
(``bind_db.delete_marker``), and so does one removing the mdev of an
unbind (``bind_db.unbind_marker``): if it dies half way, the work is
finished by ``recovery.py`` (at its restart, by the conductor that takes
over, or by the periodic sweep).
"""
import dataclasses
import logging

import sqlalchemy as sa

from cyborg.common import exception
from cyborg.common import state_machine as sm
from cyborg.common import states
from cyborg.conductor.bind import agent as bind_agent
from cyborg.conf import CONF
from cyborg.db import models
from cyborg.db.queries import arqs as arq_queries
from cyborg.db.queries import binding as bind_db
from cyborg.notifications import events as notifications

LOG = logging.getLogger(__name__)

_UNBIND_ATTEMPTS = 3
CLEARED = {'hostname': None, 'device_rp_uuid': None, 'instance_uuid': None,
           'attach_handle_id': None, 'deployable_id': None}


@dataclasses.dataclass
class Holding:
    """An ARQ and the attach handle it holds (if any)."""
    arq_id: int
    uuid: str
    state: str
    handle_id: int | None = None
    handle_uuid: str | None = None
    attach_type: str | None = None
    attach_info: str | None = None
    device_hostname: str | None = None

    @property
    def is_mdev(self):
        return self.attach_type == bind_agent.MDEV


def _holdings(context, where):
    arq, ah = models.ExtArq, models.AttachHandle
    dep, dev = models.Deployable, models.Device
    query = arq_queries.scoped(context, sa.select(
        arq.id, arq.uuid, arq.state, ah.id, ah.uuid, ah.attach_type,
        ah.attach_info, dev.hostname)
        .outerjoin(ah, arq.attach_handle_id == ah.id)
        .outerjoin(dep, ah.deployable_id == dep.id)
        .outerjoin(dev, dep.device_id == dev.id)
        .where(*where).order_by(arq.id))
    return [Holding(*row) for row in context.session.execute(query).all()]


def _holding(context, uuid):
    found = _holdings(context, [models.ExtArq.uuid == uuid])
    if not found:
        raise exception.ExtArqNotFound(uuid=uuid)
    return found[0]


def _same_handle(holding):
    column = models.ExtArq.attach_handle_id
    if holding.handle_id is None:
        return [column.is_(None)]
    return [column == holding.handle_id]


# -- unbind --------------------------------------------------------------

PREVIOUS_FIELDS = ('hostname', 'device_rp_uuid', 'instance_uuid',
                   'deployable_id', 'state_reason')
RESTORABLE = (states.INITIAL, states.BOUND, states.BIND_FAILED)


@dataclasses.dataclass
class Undo:
    """How to put an unbound ARQ back: what it held, its old fields."""
    holding: Holding
    previous: dict


def unbind(context, uuids, done=None):
    """Unbind each ARQ in order; the first failure stops and raises.

    An :class:`Undo` per unbound ARQ is appended to ``done`` (if given)
    as it happens, so a caller can :func:`restore` them after a failure.
    """
    for uuid in uuids:
        undo = _unbind_one(context, uuid)
        if done is not None:
            done.append(undo)


def _holding_and_previous(context, uuid):
    holding = _holding(context, uuid)
    arq = models.ExtArq
    row = context.session.execute(
        sa.select(*[getattr(arq, f) for f in PREVIOUS_FIELDS])
        .where(arq.id == holding.arq_id)).one()
    return holding, dict(zip(PREVIOUS_FIELDS, row))


def _unbind_one(context, uuid):
    for _attempt in range(_UNBIND_ATTEMPTS):
        holding, previous = bind_db.run(context, _holding_and_previous,
                                        uuid)
        if holding.state == states.DELETING:
            sm.check(holding.state, states.UNBOUND, uuid)
        if holding.is_mdev:
            if not bind_db.run(context, _mark_unbinding, holding):
                continue
            _remove_mdev_or_fail(context, holding)
        if bind_db.run(context, _mark_unbound, holding):
            notifications.arq_unbind_end(context, uuid)
            return Undo(holding, previous)
    raise exception.ARQInvalidState(
        state=holding.state, uuid=uuid,
        expected=sm.sorted_states(sm.sources(states.UNBOUND)))


def _remove_mdev_or_fail(context, holding):
    try:
        bind_agent.remove_mdev(context, holding.device_hostname,
                               holding.attach_info, holding.handle_uuid)
    except Exception as exc:
        reason = 'removing mdev %s failed: %s' % (holding.handle_uuid,
                                                  exception.describe(exc))
        bind_db.run(context, _mark_unbind_failed, holding, reason)
        notifications.arq_unbind_error(context, holding.uuid, reason)
        LOG.warning('Unbind of %s failed (request %s): %s', holding.uuid,
                    context.request_id, reason, exc_info=_unexpected(exc))
        raise exception.UnbindFailed(uuid=holding.uuid, reason=reason)


def _mark_unbinding(context, holding):
    """Name this conductor in ``state_reason`` before the agent call, so
    an unbind cut short by its death is finished (``recovery.py``)."""
    arq = models.ExtArq
    result = context.session.execute(
        sa.update(arq).where(arq.id == holding.arq_id,
                             arq.state == holding.state,
                             *_same_handle(holding))
        .values(state_reason=bind_db.unbind_marker(CONF.host),
                updated_at=sm.utcnow())
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def _mark_unbound(context, holding):
    moved = sm.move(context.session, holding.arq_id, states.UNBOUND,
                    dict(CLEARED, state_reason=None),
                    where=_same_handle(holding))
    if moved:
        bind_db.release_handles(context, [holding.handle_id])
    return moved


def _mark_unbind_failed(context, holding, reason):
    sm.move(context.session, holding.arq_id, states.UNBIND_FAILED,
            {'state_reason': reason[:2000]}, where=_same_handle(holding))


# -- undo (Q13) ----------------------------------------------------------

class _NotRestorable(Exception):
    """The ARQ or its handle moved on since the unbind."""


def restore(context, undos):
    """Put the ARQs of ``undos`` back as they were before their unbind,
    last unbound first. Returns the uuids that could not be restored."""
    lost = []
    for undo in reversed(undos):
        holding = undo.holding
        if holding.state not in RESTORABLE:
            continue
        try:
            bind_db.run(context, _restore_row, undo)
        except Exception as exc:  # noqa: BLE001 - reported, others go on
            LOG.error('Could not undo the unbind of %s after its PATCH '
                      'failed: %s', holding.uuid, exc)
            lost.append(holding.uuid)
            continue
        if holding.is_mdev and holding.state == states.BOUND:
            _recreate_mdev(context, holding)
        LOG.info('Unbind of %s undone (its PATCH failed): %s again',
                 holding.uuid, holding.state)
    return lost


def _restore_row(context, undo):
    holding, ah, arq = undo.holding, models.AttachHandle, models.ExtArq
    if holding.handle_id is not None:
        claimed = context.session.execute(
            sa.update(ah).where(ah.id == holding.handle_id,
                                sa.or_(ah.in_use.is_(None),
                                       ah.in_use == sa.false()))
            .values(in_use=True)
            .execution_options(synchronize_session=False))
        if claimed.rowcount != 1:
            raise _NotRestorable('attach handle %s was claimed again'
                                 % holding.handle_uuid)
    values = dict(undo.previous, attach_handle_id=holding.handle_id)
    if not sm.move(context.session, holding.arq_id, states.BIND_STARTED,
                   values, where=[arq.attach_handle_id.is_(None)],
                   sources_override={states.UNBOUND}):
        raise _NotRestorable('it is no longer Unbound')
    if not sm.move(context.session, holding.arq_id, holding.state,
                   where=_same_handle(holding),
                   sources_override={states.BIND_STARTED}):
        raise _NotRestorable('it changed while being restored')


def _recreate_mdev(context, holding):
    try:
        bind_agent.create_mdev(context, {
            'device_hostname': holding.device_hostname,
            'attach_info': holding.attach_info,
            'handle_uuid': holding.handle_uuid})
    except Exception as exc:  # noqa: BLE001 - noted on the ARQ
        reason = ('unbind undone after its PATCH failed, but mdev %s could '
                  'not be created again: %s' % (holding.handle_uuid, exc))
        LOG.error('ARQ %s: %s', holding.uuid, reason)
        bind_db.run(context, _note, holding, reason)


# -- delete --------------------------------------------------------------

def delete_by_uuids(context, uuids):
    _finish_delete(context, bind_db.run(context, _mark_deleting,
                                        uuids=list(uuids)))


def delete_by_instance(context, instance_uuid):
    _finish_delete(context, bind_db.run(context, _mark_deleting,
                                        instance=instance_uuid))


def _mark_deleting(context, uuids=None, instance=None):
    arq = models.ExtArq
    if uuids is not None:
        found = _holdings(context, [arq.uuid.in_(uuids)])
        known = {h.uuid for h in found}
        for uuid in uuids:
            if uuid not in known:
                raise exception.ExtArqNotFound(uuid=uuid)
    else:
        found = _holdings(context, [arq.instance_uuid == instance])
    # One conditional write decides a race: of parallel deletes of an ARQ
    # only the first moves it to Deleting; the others find it gone (404
    # for a delete by uuid, all or nothing; by instance it is skipped).
    owner = {'state_reason': bind_db.delete_marker(CONF.host)}
    marked = [h for h in found
              if sm.move(context.session, h.arq_id, states.DELETING, owner,
                         sources_override=_NOT_DELETING)]
    if uuids is not None and len(marked) != len(found):
        moved = {h.arq_id for h in marked}
        lost = next(h.uuid for h in found if h.arq_id not in moved)
        raise exception.ExtArqNotFound(uuid=lost)
    return marked


_NOT_DELETING = frozenset(states.ALL) - {states.DELETING}


def finish_delete(context, holdings):
    """Remove the mdevs of ``Deleting`` rows, then the rows; raises
    :class:`UnbindFailed` when an mdev could not be removed (its row
    stays ``Deleting``)."""
    _finish_delete(context, holdings)


def deleting_holdings(context, where):
    """The ``Deleting`` rows matching ``where``, with what they hold."""
    return _holdings(context, [models.ExtArq.state == states.DELETING,
                               *where])


def _finish_delete(context, holdings):
    snapshot = notifications.arq_snapshot(context, holdings)
    failed = []
    for holding in holdings:
        if not holding.is_mdev:
            continue
        try:
            bind_agent.remove_mdev(context, holding.device_hostname,
                                   holding.attach_info, holding.handle_uuid)
        except Exception as exc:  # noqa: BLE001 - reported below
            failed.append((holding, exc))
    kept = {h.arq_id for h, _ in failed}
    gone = [h for h in holdings if h.arq_id not in kept]
    bind_db.run(context, _delete_rows, gone)
    notifications.arqs_deleted(context, snapshot, gone)
    for holding, exc in failed:
        reason = 'removing mdev %s failed: %s' % (holding.handle_uuid,
                                                  exception.describe(exc))
        bind_db.run(context, _note, holding, reason)
        LOG.warning('Deleting %s: %s (request %s)', holding.uuid, reason,
                    context.request_id, exc_info=_unexpected(exc))
    if failed:
        holding, exc = failed[0]
        raise exception.UnbindFailed(uuid=holding.uuid,
                                     reason=exception.describe(exc))


def _unexpected(exc):
    """``exc`` for a log's exc_info when it is not one of our errors."""
    return None if isinstance(exc, exception.CyborgException) else exc


def _delete_rows(context, holdings):
    arq = models.ExtArq
    ids = [h.arq_id for h in holdings]
    if not ids:
        return
    # Locked, so that of two finishers of one delete (a conductor and
    # the recovery of its dead predecessor) only the one that removes the
    # rows releases their handles.
    handles = list(context.session.scalars(
        sa.select(arq.attach_handle_id).where(
            arq.id.in_(ids), arq.state == states.DELETING)
        .with_for_update()))
    context.session.execute(
        sa.delete(arq).where(arq.id.in_(ids), arq.state == states.DELETING)
        .execution_options(synchronize_session=False))
    bind_db.release_handles(context, handles)


def _note(context, holding, reason):
    arq = models.ExtArq
    context.session.execute(
        sa.update(arq).where(arq.id == holding.arq_id)
        .values(state_reason=reason[:2000])
        .execution_options(synchronize_session=False))
