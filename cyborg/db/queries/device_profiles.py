"""Device-profile rows (internals.md §7, §10.6).

Create and delete are pure database writes made from the API, each in one
transaction (DESIGN.md seams). Rows are returned detached but loaded.
"""
import json
import uuid as uuid_lib

from oslo_db import exception as db_exc
import sqlalchemy as sa

from cyborg.common import exception
from cyborg.db import models
from cyborg.db import session
from cyborg.db.queries import paging

NAME_MAX_LENGTH = 255
SORT_KEYS = ('created_at', 'uuid', 'name')


@session.reader
def list_profiles(context, names=None, page=None):
    """Every profile in creation order, or those named in ``names``.

    With a ``page`` (2.4): (rows of the page, whether more follow).
    """
    query = sa.select(models.DeviceProfile)
    if names is not None:
        if not names:
            return ([], False) if page is not None else []
        query = query.where(models.DeviceProfile.name.in_(names))
    if page is None:
        return list(context.session.scalars(
            query.order_by(models.DeviceProfile.id)))
    query = paging.apply(context, query, models.DeviceProfile, page)
    return paging.split(context.session.scalars(query), page)


@session.reader
def get_by_uuid(context, uuid):
    return _one(context, 'uuid', uuid)


@session.reader
def get_by_name(context, name):
    return _one(context, 'name', name)


def _one(context, key, value):
    column = getattr(models.DeviceProfile, key)
    row = context.session.scalars(
        sa.select(models.DeviceProfile).where(column == value)).first()
    if row is None:
        raise exception.DeviceProfileNotFound(key=key, value=value)
    return row


@session.retry_on_busy
@session.writer
def create(context, profile):
    """Insert a validated profile; 409 on a name clash, Q4 500s else."""
    name, uuid = profile['name'], profile.get('uuid')
    _check_unique(context, name, uuid)
    if len(name) > NAME_MAX_LENGTH:
        raise exception.DeviceProfileNameTooLong()
    row = models.DeviceProfile(
        uuid=uuid or str(uuid_lib.uuid4()), name=name,
        description=profile.get('description'),
        profile_json=json.dumps({'groups': profile['groups']}))
    context.session.add(row)
    try:
        context.session.flush()
    except db_exc.DBDuplicateEntry:  # a concurrent create won the race
        _check_unique(context, name, uuid)
        raise exception.DuplicateDeviceProfileName(name=name)
    return row


def _check_unique(context, name, uuid):
    dp = models.DeviceProfile
    clauses = [dp.name == name]
    if uuid:
        clauses.append(dp.uuid == uuid)
    rows = context.session.execute(
        sa.select(dp.name, dp.uuid).where(sa.or_(*clauses))).all()
    if any(r.name == name for r in rows):
        raise exception.DuplicateDeviceProfileName(name=name)
    if rows:
        raise exception.DeviceProfileAlreadyExists(uuid=uuid)


@session.retry_on_busy
@session.writer
def delete(context, uuid=None, names=None):
    """Delete one profile by uuid, or every named one: all or nothing.

    Any unknown name -> 404 and nothing deleted (Q7); a profile still used
    by accelerator requests -> 409 (Q6).
    """
    dp = models.DeviceProfile
    if uuid is not None:
        rows = [_one(context, 'uuid', uuid)]
    else:
        wanted = list(dict.fromkeys(names))
        found = {r.name: r for r in context.session.scalars(
            sa.select(dp).where(dp.name.in_(wanted)))}
        for name in wanted:
            if name not in found:
                raise exception.DeviceProfileNotFound(key='name', value=name)
        rows = [found[n] for n in wanted]
    ids = [r.id for r in rows]
    used = context.session.scalars(
        sa.select(models.ExtArq.device_profile_id)
        .where(models.ExtArq.device_profile_id.in_(ids)).limit(1)).first()
    if used is not None:
        name = next(r.name for r in rows if r.id == used)
        raise exception.DeviceProfileInUse(name=name)
    try:
        context.session.execute(sa.delete(dp).where(dp.id.in_(ids)))
    except db_exc.DBReferenceError:  # an ARQ created since the check
        raise exception.DeviceProfileInUse(name=rows[0].name)
    return rows
