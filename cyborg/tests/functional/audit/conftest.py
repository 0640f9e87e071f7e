"""Fixtures of the audit tests: a real database and the REAL in-process
Placement, filled by the real inventory flow (agent reports), so the
starting point is exactly what the conductor makes."""
import json
import uuid

import pytest
import sqlalchemy as sa

from cyborg import context
from cyborg.conductor.inventory import report as inventory
from cyborg.db import models
from cyborg.tests.fixtures.database import database  # noqa: F401
from cyborg.tests.fixtures.placement import placement  # noqa: F401
from cyborg.tests.functional.inventory import conftest as inv

HOST = inv.HOST


@pytest.fixture
def ctx():
    return context.get_admin_context()


def report(ctx, placement, count, host=HOST, rc='PGPU',  # noqa: F811
           traits=('CUSTOM_GPU_T4',)):
    """Report ``count`` GPUs of ``host`` through the conductor's flow;
    returns their provider uuids in order."""
    devices = [inv.gpu_device(i, host=host, rc=rc, traits=traits)
               for i in range(count)]
    inventory.report_data(ctx, host, devices, client=placement.new_client())
    return [placement.client.provider_uuid_for(d['deployable_list'][0]
                                               ['name']) for d in devices]


def bind_in_db(database, rp_uuid, instance=None, rc='PGPU',  # noqa: F811
               amount=1, state='Bound'):
    """An ARQ of a new profile asking ``resources:<rc>=<amount>``, bound
    (in the database only) to ``instance`` on ``rp_uuid``."""
    instance = instance or str(uuid.uuid4())
    with database.session() as s:
        dp = models.DeviceProfile(
            uuid=str(uuid.uuid4()), name='dp-' + uuid.uuid4().hex[:8],
            profile_json=json.dumps({'groups': [
                {'resources:%s' % rc: str(amount)}]}))
        s.add(dp)
        dep = s.scalars(sa.select(models.Deployable).where(
            models.Deployable.rp_uuid == rp_uuid)).one()
        handle = s.scalars(sa.select(models.AttachHandle).where(
            models.AttachHandle.deployable_id == dep.id)).first()
        handle.in_use = True
        s.flush()
        s.add(models.ExtArq(
            uuid=str(uuid.uuid4()), state=state, device_profile_id=dp.id,
            device_profile_group_id=0, hostname=HOST, device_rp_uuid=rp_uuid,
            instance_uuid=instance, attach_handle_id=handle.id,
            deployable_id=dep.id, substate='Initial'))
        s.commit()
    return instance


@pytest.fixture
def cn(database, placement):  # noqa: F811
    provider = placement.create_compute_node(HOST)
    yield provider
    inventory.set_placement(None)
