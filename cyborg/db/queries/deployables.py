"""Deployable rows (internals.md §10.3)."""
import sqlalchemy as sa

from cyborg.common import exception
from cyborg.db import models
from cyborg.db import session
from cyborg.db.queries import devices
from cyborg.db.queries import paging

COLUMNS = tuple(c.name for c in models.Deployable.__table__.columns)
SORT_KEYS = ('created_at', 'uuid')


@session.reader
def list_deployables(context, query, page=None):
    """Storage order without filters, else as ``query`` says (api.md §7).

    With a ``page`` (2.4): only the exact filters of ``query`` apply, and
    the answer is (rows of the page, whether more follow).
    """
    select = sa.select(models.Deployable)
    if page is not None:
        select = paging.apply(context, devices.exact_only(
            select, models.Deployable, query), models.Deployable, page)
        return paging.split(context.session.scalars(select), page)
    if query.filtered:
        select = devices.apply_list_query(select, models.Deployable, query)
    else:
        select = select.order_by(models.Deployable.id)
    return list(context.session.scalars(select))


@session.reader
def get_by_uuid(context, uuid):
    row = context.session.scalars(
        sa.select(models.Deployable)
        .where(models.Deployable.uuid == uuid)).first()
    if row is None:
        raise exception.DeployableNotFound(key='uuid', value=uuid)
    return row


@session.reader
def exists(context, deployable_id):
    return context.session.get(models.Deployable, deployable_id) is not None


@session.reader
def of_device(context, device_id):
    """The deployables of a device (by its internal id), by id."""
    return list(context.session.scalars(
        sa.select(models.Deployable)
        .where(models.Deployable.device_id == device_id)
        .order_by(models.Deployable.id)))


@session.reader
def attribute_pairs(context, deployable_ids):
    """{deployable id: [(key, value), ...]} in storage order."""
    result = {i: [] for i in deployable_ids}
    if not result:
        return result
    attr = models.Attribute
    rows = context.session.execute(
        sa.select(attr.deployable_id, attr.key, attr.value)
        .where(attr.deployable_id.in_(list(result)))
        .order_by(attr.id))
    for deployable_id, key, value in rows:
        result[deployable_id].append((key, value))
    return result
