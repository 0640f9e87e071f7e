"""Device rows (internals.md §10.1) and what hangs off a device.

Rows are returned detached but loaded; relationships are not used.
"""
import sqlalchemy as sa

from cyborg.common import exception
from cyborg.db import models
from cyborg.db import session
from cyborg.db.queries import paging

COLUMNS = tuple(c.name for c in models.Device.__table__.columns)
SORT_KEYS = ('created_at', 'uuid', 'hostname')


def apply_list_query(select, model, query):
    """Filters, order and limit of a :class:`ListQuery` on ``select``.

    Order: ``sort_key`` in ``sort_dir`` with ``id`` in the same direction
    as the tie-breaker (``created_at`` descending unless asked).
    """
    select = exact_only(select, model, query)
    direction = sa.desc if query.sort_dir == 'desc' else sa.asc
    keys = [query.sort_key] if query.sort_key != 'id' else []
    select = select.order_by(*[direction(getattr(model, k))
                               for k in keys + ['id']])
    if query.limit is not None:
        select = select.limit(query.limit)
    return select


def exact_only(select, model, query):
    for name, value in query.exact.items():
        select = select.where(getattr(model, name) == value)
    return select


@session.reader
def list_devices(context, query, page=None):
    """Devices by id without filters, else as ``query`` says (api.md §7).

    With a ``page`` (2.4): only the exact filters of ``query`` apply, and
    the answer is (rows of the page, whether more follow).
    """
    select = sa.select(models.Device)
    if page is not None:
        select = paging.apply(context, exact_only(select, models.Device,
                                                  query),
                              models.Device, page)
        return paging.split(context.session.scalars(select), page)
    if query.filtered:
        select = apply_list_query(select, models.Device, query)
    else:
        select = select.order_by(models.Device.id)
    return list(context.session.scalars(select))


@session.reader
def get_by_uuid(context, uuid):
    return _by_uuid(context, uuid)


def _by_uuid(context, uuid):
    row = context.session.scalars(
        sa.select(models.Device).where(models.Device.uuid == uuid)).first()
    if row is None:
        raise exception.DeviceNotFound(uuid=uuid)
    return row


@session.reader
def get_by_id(context, device_id):
    row = context.session.get(models.Device, device_id)
    if row is None:
        raise exception.ResourceNotFound(resource='Device',
                                         msg='id=%s' % device_id)
    return row


@session.writer
def set_status(context, uuid, status):
    """Save ``status`` (enabled/maintaining); returns the updated row."""
    row = _by_uuid(context, uuid)
    if row.status != status:
        row.status = status
        context.session.flush()
    return row


@session.reader
def controlpaths(context, device_id):
    """Control-path rows of a device, by id."""
    return list(context.session.scalars(
        sa.select(models.ControlpathID)
        .where(models.ControlpathID.device_id == device_id)
        .order_by(models.ControlpathID.id)))


@session.reader
def owning_agent(context, hostname):
    """The agent serving compute node ``hostname`` (D3.1), or None."""
    return context.session.scalars(
        sa.select(models.Agent)
        .where(models.Agent.compute_node_name == hostname)
        .order_by(models.Agent.id)).first()
