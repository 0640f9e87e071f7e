"""Database reads that fill payloads, run after the commit they describe
(and only when notifications are enabled). One query per event."""
import json

import sqlalchemy as sa

from cyborg.db import models
from cyborg.db import session


@session.reader
def arqs(context, uuids):
    """{uuid: ARQ payload mapping} of the ARQs still there."""
    if not uuids:
        return {}
    arq, dp, ah = models.ExtArq, models.DeviceProfile, models.AttachHandle
    rows = context.session.execute(
        sa.select(arq.uuid, arq.state, dp.name, arq.device_profile_group_id,
                  arq.hostname, arq.device_rp_uuid, arq.instance_uuid,
                  arq.project_id, ah.attach_type, ah.uuid,
                  arq.state_reason)
        .join(dp, arq.device_profile_id == dp.id)
        .outerjoin(ah, arq.attach_handle_id == ah.id)
        .where(arq.uuid.in_(list(uuids))).order_by(arq.id)).all()
    keys = ('uuid', 'state', 'device_profile_name',
            'device_profile_group_id', 'hostname', 'device_rp_uuid',
            'instance_uuid', 'project_id', 'attach_handle_type',
            'attach_handle_uuid', 'state_reason')
    return {r[0]: dict(zip(keys, r)) for r in rows}


def device_profile(row):
    """Payload mapping of a device profile row (already loaded)."""
    groups = json.loads(row.profile_json).get('groups', [])
    return {'uuid': row.uuid, 'name': row.name,
            'description': row.description,
            'groups': [{k: None if v is None else str(v)
                        for k, v in g.items()} for g in groups]}


def _device(row):
    return {k: getattr(row, k) for k in (
        'uuid', 'type', 'vendor', 'model', 'std_board_info',
        'vendor_board_info', 'hostname', 'status')}


@session.reader
def device(context, uuid):
    row = context.session.scalars(sa.select(models.Device).where(
        models.Device.uuid == uuid)).first()
    return _device(row) if row is not None else None


@session.reader
def host_inventory(context, hostname):
    """({device uuid: mapping}, {deployable uuid: mapping}) of a host."""
    dev, dep = models.Device, models.Deployable
    devices = {r.uuid: _device(r) for r in context.session.scalars(
        sa.select(dev).where(dev.hostname == hostname))}
    rows = context.session.execute(
        sa.select(dep.uuid, dep.name, dep.num_accelerators, dev.uuid,
                  dep.rp_uuid, dep.driver_name, dep.bitstream_id)
        .join(dev, dep.device_id == dev.id)
        .where(dev.hostname == hostname)).all()
    keys = ('uuid', 'name', 'num_accelerators', 'device_uuid', 'rp_uuid',
            'driver_name', 'bitstream_id')
    return devices, {r[0]: dict(zip(keys, r)) for r in rows}
