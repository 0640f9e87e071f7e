"""ARQ writes with side effects: bind, unbind and delete (internals.md §5).

The API has already decided authorization (policy, service token) and
validated the patch; this module applies it. Every call is one database
transaction, so a PATCH is all or nothing (decision Q13): on any failure
each ARQ of it is back where it was and every attach handle it claimed is
released. The context is the caller's: reads and writes are project-scoped
for non-admins.

``bind`` is kept separate on purpose: the full bind (MDEV creation on the
agent, FPGA programming, the Nova notification) replaces it later.
"""
import sqlalchemy as sa

from cyborg.common import exception
from cyborg.common import states
from cyborg.db import models
from cyborg.db import session
from cyborg.db.queries import arqs as arq_queries

_CLAIM_ATTEMPTS = 5


def _first_op(patch):
    return next(iter(patch.values()))[0]['op']


def apply_patch(context, patch, valid_fields):
    """Bind or unbind: delegated to the full flow in ``bind.py``."""
    from cyborg.conductor import bind as bind_flow
    return bind_flow.apply_patch(context, patch, valid_fields)


@session.writer
def bind(context, patch, valid_fields):
    first = valid_fields[next(iter(patch))]
    _check_instance_free(context, first['instance_uuid'])
    _apply_entries(context, patch, valid_fields)


@session.writer
def unbind(context, patch, valid_fields):
    _apply_entries(context, patch, valid_fields)


def _apply_entries(context, patch, valid_fields):
    """Each entry by its own first op (a body may mix both, §9.7)."""
    for uuid, ops in patch.items():
        if ops[0]['op'] == 'add':
            _bind_one(context, uuid, valid_fields[uuid])
        else:
            _unbind_one(context, _load(context, uuid))


def _check_instance_free(context, instance_uuid):
    query = arq_queries.scoped(context, sa.select(models.ExtArq.id)).where(
        models.ExtArq.instance_uuid == instance_uuid).limit(1)
    if context.session.scalars(query).first() is not None:
        raise exception.PatchError(
            reason='Instance %s already has accelerator requests. Cannot '
                   'bind additional ARQs.' % instance_uuid)


def _load(context, uuid):
    query = arq_queries.scoped(context, sa.select(models.ExtArq)).where(
        models.ExtArq.uuid == uuid)
    arq = context.session.scalars(query).first()
    if arq is None:
        raise exception.ExtArqNotFound(uuid=uuid)
    return arq


def _move(context, arq, sources, values):
    """Compare-and-set of the state: UPDATE ... WHERE state IN sources."""
    arq_t = models.ExtArq
    result = context.session.execute(
        sa.update(arq_t)
        .where(arq_t.id == arq.id, arq_t.state.in_(sources))
        .values(**values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise exception.ARQInvalidState(state=arq.state, uuid=arq.uuid,
                                        expected=list(sources))


def _bind_one(context, uuid, fields):
    arq = _load(context, uuid)
    _move(context, arq, states.BINDABLE,
          dict(fields, state=states.BIND_STARTED))
    deployable_id = context.session.scalars(
        sa.select(models.Deployable.id).where(
            models.Deployable.rp_uuid == fields['device_rp_uuid'])
        .order_by(models.Deployable.id).limit(1)).first()
    if deployable_id is None:
        raise exception.DeployableNotFound(key='resource provider uuid',
                                           value=fields['device_rp_uuid'])
    handle_id = _claim_handle(context, deployable_id)
    _move(context, arq, (states.BIND_STARTED,),
          {'state': states.BOUND, 'attach_handle_id': handle_id,
           'deployable_id': deployable_id})


def _free(handle):
    return sa.or_(handle.in_use.is_(None), handle.in_use == sa.false())


def _claim_handle(context, deployable_id):
    """Mark a free handle of the deployable in use, atomically."""
    ah = models.AttachHandle
    for _attempt in range(_CLAIM_ATTEMPTS):
        candidate = context.session.scalars(
            sa.select(ah.id).where(ah.deployable_id == deployable_id,
                                   _free(ah))
            .order_by(ah.id).limit(1)).first()
        if candidate is None:
            break
        result = context.session.execute(
            sa.update(ah).where(ah.id == candidate, _free(ah))
            .values(in_use=True)
            .execution_options(synchronize_session=False))
        if result.rowcount == 1:
            return candidate
    raise exception.AttachHandleNotFound(deployable_id=deployable_id)


def _release_handles(context, handle_ids):
    handle_ids = [h for h in handle_ids if h is not None]
    if handle_ids:
        ah = models.AttachHandle
        context.session.execute(
            sa.update(ah).where(ah.id.in_(handle_ids)).values(in_use=False)
            .execution_options(synchronize_session=False))


def _unbind_one(context, arq):
    """Any state -> Unbound; the handle is released, project_id kept."""
    _release_handles(context, [arq.attach_handle_id])
    _move(context, arq, states.ALL,
          {'hostname': None, 'device_rp_uuid': None, 'instance_uuid': None,
           'state': states.UNBOUND, 'attach_handle_id': None,
           'deployable_id': None})


def _delete_rows(context, arqs):
    _release_handles(context, [a.attach_handle_id for a in arqs])
    if arqs:
        context.session.execute(
            sa.delete(models.ExtArq)
            .where(models.ExtArq.id.in_([a.id for a in arqs]))
            .execution_options(synchronize_session=False))


def delete_by_uuids(context, arq_uuids):
    """Unbind (mdevs included) and delete: ``bind_unbind.py``."""
    from cyborg.conductor import bind_unbind
    return bind_unbind.delete_by_uuids(context, arq_uuids)


@session.writer
def _delete_by_uuids_db_only(context, arq_uuids):
    """Unbind and delete the listed visible ARQs: all, or none (404)."""
    query = arq_queries.scoped(context, sa.select(models.ExtArq)).where(
        models.ExtArq.uuid.in_(arq_uuids))
    arqs = {a.uuid: a for a in context.session.scalars(query)}
    for uuid in arq_uuids:
        if uuid not in arqs:
            raise exception.ExtArqNotFound(uuid=uuid)
    _delete_rows(context, list(arqs.values()))


def delete_by_instance(context, instance_uuid):
    """Unbind (mdevs included) and delete: ``bind_unbind.py``."""
    from cyborg.conductor import bind_unbind
    return bind_unbind.delete_by_instance(context, instance_uuid)


@session.writer
def _delete_by_instance_db_only(context, instance_uuid):
    """Unbind and delete the caller-visible ARQs of an instance."""
    query = arq_queries.scoped(context, sa.select(models.ExtArq)).where(
        models.ExtArq.instance_uuid == instance_uuid)
    _delete_rows(context, list(context.session.scalars(query)))
