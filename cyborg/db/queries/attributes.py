"""Attribute rows (internals.md §10.4).

Create and delete from the API are pure database writes (DESIGN.md seams).
"""
import uuid as uuid_lib

from oslo_db import exception as db_exc
import sqlalchemy as sa

from cyborg.common import exception
from cyborg.db import models
from cyborg.db import session
from cyborg.db.queries import paging

SORT_KEYS = ('created_at', 'uuid')


def _is_id(value):
    """False for integers no database id column can hold (no such row)."""
    return -2 ** 63 <= value < 2 ** 63


@session.reader
def list_attributes(context, deployable_id=None, key=None, page=None):
    """Attributes in storage order, optionally of one deployable/key.

    With a ``page`` (2.4): (rows of the page, whether more follow).
    """
    select = sa.select(models.Attribute)
    if deployable_id is not None and not _is_id(deployable_id):
        return ([], False) if page is not None else []
    if deployable_id is not None:
        select = select.where(models.Attribute.deployable_id == deployable_id)
    if key is not None:
        select = select.where(models.Attribute.key == key)
    if page is None:
        return list(context.session.scalars(
            select.order_by(models.Attribute.id)))
    select = paging.apply(context, select, models.Attribute, page)
    return paging.split(context.session.scalars(select), page)


def _by_uuid(context, uuid):
    row = context.session.scalars(
        sa.select(models.Attribute)
        .where(models.Attribute.uuid == uuid)).first()
    if row is None:
        raise exception.AttributeNotFound(msg='uuid=%s' % uuid)
    return row


@session.reader
def get_by_uuid(context, uuid):
    return _by_uuid(context, uuid)


@session.retry_on_busy
@session.writer
def create(context, deployable_id, key, value, uuid=None):
    """Insert one attribute (decision Q20: the deployable must exist)."""
    if not _is_id(deployable_id) or \
            context.session.get(models.Deployable, deployable_id) is None:
        raise exception.DeployableNotFound(key='id', value=deployable_id)
    uuid = uuid or str(uuid_lib.uuid4())
    if context.session.scalars(sa.select(models.Attribute.id).where(
            models.Attribute.uuid == uuid)).first() is not None:
        raise exception.AttributeAlreadyExists(uuid=uuid)
    row = models.Attribute(uuid=uuid, deployable_id=deployable_id, key=key,
                           value=value)
    context.session.add(row)
    try:
        context.session.flush()
    except db_exc.DBDuplicateEntry:     # a concurrent create won the race
        raise exception.AttributeAlreadyExists(uuid=uuid)
    except db_exc.DBReferenceError:     # the deployable went away
        raise exception.DeployableNotFound(key='id', value=deployable_id)
    return row


@session.retry_on_busy
@session.writer
def delete(context, uuid):
    row = _by_uuid(context, uuid)
    context.session.delete(row)


@session.reader
def value_of(context, deployable_id, key):
    """The value of the first ``key`` attribute of a deployable, or None."""
    return context.session.scalars(
        sa.select(models.Attribute.value)
        .where(models.Attribute.deployable_id == deployable_id,
               models.Attribute.key == key)
        .order_by(models.Attribute.id)).first()
