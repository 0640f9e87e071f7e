"""Accelerator-request rows (internals.md §5, §10.7).

Every read is scoped to the caller's project unless the caller is admin
(api.md §6.5), in SQL. Reads return plain dicts made by one query that
joins the device profile (for its name) and the attach handle, so a list
of any length costs a constant number of statements.
"""
import json
import uuid as uuid_lib

from oslo_db import exception as db_exc
from oslo_utils import timeutils
import sqlalchemy as sa

from cyborg.common import exception
from cyborg.common import states
from cyborg.db import models
from cyborg.db import session
from cyborg.db.queries import paging

ALL_PROJECTS = object()     # a list scope: every project
SORT_KEYS = ('created_at', 'uuid')


def scoped(context, query, projects=None):
    """``query`` limited to the caller's project for non-admins.

    ``projects`` overrides that, once policy allowed it: a project id, or
    :data:`ALL_PROJECTS`.
    """
    if projects is ALL_PROJECTS:
        return query
    if projects is not None:
        return query.where(models.ExtArq.project_id == projects)
    if not context.is_admin:
        query = query.where(models.ExtArq.project_id == context.project_id)
    return query


_FIELDS = ('uuid', 'state', 'device_profile_group_id', 'hostname',
           'device_rp_uuid', 'instance_uuid', 'project_id', 'created_at',
           'updated_at', 'state_reason')


def _select():
    """Plain columns of the tables, not ORM entities: rendering thousands
    of rows costs no object construction, and a statement built once
    (:func:`_get_statements`) needs no ORM compilation per execution."""
    arq = models.ExtArq.__table__
    dp = models.DeviceProfile.__table__
    ah = models.AttachHandle.__table__
    return (sa.select(*[arq.c[name] for name in _FIELDS],
                      dp.c.name.label('profile_name'),
                      ah.c.attach_type.label('ah_type'),
                      ah.c.uuid.label('ah_uuid'),
                      ah.c.attach_info.label('ah_info'))
            .select_from(arq.join(dp, arq.c.device_profile_id == dp.c.id)
                         .outerjoin(ah, arq.c.attach_handle_id == ah.c.id)))


def _handle_info(text):
    try:
        info = json.loads(text)
    except (TypeError, ValueError):
        return {}
    return info if isinstance(info, dict) else {}


def _from_row(r):
    row = {name: getattr(r, name) for name in _FIELDS}
    row['device_profile_name'] = r.profile_name
    bound = r.ah_uuid is not None and r.state == states.BOUND
    row['attach_handle_type'] = r.ah_type if bound else ''
    row['attach_handle_uuid'] = r.ah_uuid if bound else None
    row['attach_handle_info'] = _handle_info(r.ah_info) if bound else {}
    return row


def _rows(context, query):
    return [_from_row(r) for r in context.session.execute(query).all()]


# filter name -> column of the exact-match filters of a 2.4 list
_EXACT = {'state': models.ExtArq.state,
          'device_profile_name': models.DeviceProfile.name,
          'hostname': models.ExtArq.hostname,
          'device_rp_uuid': models.ExtArq.device_rp_uuid}


@session.reader
def list_arqs(context, instance_uuid=None, states_in=None, exact=None,
              projects=None, page=None):
    """Visible ARQs in creation order, filtered in SQL.

    ``exact`` maps names of :data:`_EXACT` to values; ``projects`` is the
    scope (see :func:`scoped`). With a ``page`` (2.4): (rows of the page,
    whether more follow), sorted as it says.
    """
    query = scoped(context, _select(), projects)
    if instance_uuid is not None:
        query = query.where(models.ExtArq.instance_uuid == instance_uuid)
    if states_in is not None:
        query = query.where(models.ExtArq.state.in_(states_in))
    for name, value in (exact or {}).items():
        query = query.where(_EXACT[name] == value)
    if page is None:
        return _rows(context, query.order_by(models.ExtArq.id))
    query = paging.apply(context, query, models.ExtArq, page,
                         lambda find: scoped(context, find, projects))
    return paging.split(_rows(context, query), page)


@session.reader
def any_unresolved(context, instance_uuid, projects=None):
    """Whether a visible ARQ of the instance is not resolved yet."""
    arq = models.ExtArq
    query = scoped(context, sa.select(arq.id), projects).where(
        arq.instance_uuid == instance_uuid,
        arq.state.not_in(states.RESOLVED)).limit(1)
    return context.session.execute(query).first() is not None


def _get_statements():
    """ARQ by uuid: for admins, for a project, for a caller without one
    (the scoping of :func:`scoped`); built once, values bound."""
    arq = models.ExtArq.__table__
    by_uuid = _select().where(arq.c.uuid == sa.bindparam('uuid'))
    return (by_uuid,
            by_uuid.where(arq.c.project_id == sa.bindparam('project_id')),
            by_uuid.where(arq.c.project_id.is_(None)))


_GET_ANY, _GET_IN_PROJECT, _GET_NO_PROJECT = _get_statements()


@session.reader.connection
def get(context, uuid):
    params = {'uuid': uuid}
    if context.is_admin:
        statement = _GET_ANY
    elif context.project_id is None:
        statement = _GET_NO_PROJECT
    else:
        statement = _GET_IN_PROJECT
        params['project_id'] = context.project_id
    row = context.connection.execute(statement, params).first()
    if row is None:
        raise exception.ExtArqNotFound(uuid=uuid)
    return _from_row(row)


@session.reader
def get_many(context, uuids):
    """Visible ARQs with these uuids, in the given order; the first
    unknown (or other project's) uuid -> 404."""
    query = scoped(context, _select()).where(
        models.ExtArq.uuid.in_(uuids)).order_by(models.ExtArq.id)
    found = {r['uuid']: r for r in _rows(context, query)}
    for uuid in uuids:
        if uuid not in found:
            raise exception.ExtArqNotFound(uuid=uuid)
    return [found[u] for u in dict.fromkeys(uuids)]


def _profile_statement():
    dp = models.DeviceProfile.__table__
    return sa.select(dp.c.id, dp.c.name, dp.c.profile_json).where(
        dp.c.name == sa.bindparam('name'))


_PROFILE_BY_NAME = _profile_statement()


@session.retry_on_busy
@session.writer.connection
def create_for_profile(context, name, group_ids_of):
    """ARQs of the device profile ``name``: one transaction reads the
    profile (404 if there is none), asks ``group_ids_of(profile)`` (the
    profile as a row with ``id``, ``name`` and ``profile_json``; it may
    raise) for the group index of every ARQ, and inserts them.

    Once the transaction holds the write lock (a SQLite writer takes it
    first thing, see ``session``) the profile cannot be deleted before
    the commit; elsewhere the foreign key still makes that race a 404.
    The rows are rendered as :func:`get` renders new ARQs. Core only (a
    connection, no ORM session).
    """
    connection = context.connection
    session.take_write_lock(connection)
    profile = connection.execute(_PROFILE_BY_NAME, {'name': name}).first()
    if profile is None:
        raise exception.DeviceProfileNotFound(key='name', value=name)
    group_ids = group_ids_of(profile)
    if not group_ids:
        return []
    values, rows = [], []
    for group_id in group_ids:
        value = {'uuid': str(uuid_lib.uuid4()),
                 'project_id': context.project_id,
                 'state': states.INITIAL, 'substate': 'Initial',
                 'device_profile_id': profile.id,
                 'device_profile_group_id': group_id,
                 'created_at': timeutils.utcnow()}
        values.append(value)
        rows.append(_new_row(value, profile.name))
    try:
        connection.execute(sa.insert(models.ExtArq.__table__), values)
    except db_exc.DBReferenceError:
        raise exception.DeviceProfileNotFound(key='name', value=name)
    return rows


def _new_row(value, profile_name):
    """A new ARQ (no host, instance or handle) as :func:`_from_row`
    gives it."""
    row = {name: value.get(name) for name in _FIELDS}
    row['device_profile_name'] = profile_name
    row['attach_handle_type'] = ''
    row['attach_handle_uuid'] = None
    row['attach_handle_info'] = {}
    return row


