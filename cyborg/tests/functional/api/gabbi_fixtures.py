"""Fixtures for the gabbi stories under ``gabbits/``.

A story names its fixtures in its YAML (``fixtures: [APIFixture]``):

* ``APIFixture`` -- a fresh database, a conductor on the in-process
  ``fake://`` transport and the API app in noauth mode with new-default
  policies; links start with ``https://cloud.example.net/accelerator`` so
  they equal ``shared/spec/samples``.
* ``LegacyPolicyFixture`` -- the same with ``enforce_new_defaults=False``.
* ``InventoryFixture`` -- (after one of the above) three GPU deployables
  with the provider uuids and PCI attach handles of the samples, so bind
  patches can succeed.
* ``SampleArqsFixture`` -- the profiles ``gpu-t4-pair`` and ``fpga-gzip-x1``
  and the three ``Initial`` ARQs of the samples (project
  ``5d44c2d34f7a4560a7b098dc7247d8c4``), plus one ``BindStarted`` ARQ of
  project ``other-project`` bound to instance
  ``0b9b5d8e-7c1a-4f5e-9a64-3c2f8e1d0a77``.

Identity comes from the X-User-Id / X-Project-Id / X-Roles headers,
``X-Service-Roles: service`` stands for a service token and
``OpenStack-System-Scope: all`` for a system-scoped token.
"""
import json
import uuid as uuid_lib

from gabbi import fixture
import sqlalchemy as sa

from cyborg import policies
from cyborg.conf import CONF
from cyborg.db import models
from cyborg.tests.fixtures import database
from cyborg.tests.fixtures import services
from cyborg.tests.functional.api.inventory_fixtures import (  # noqa: F401
    MaintainingGpuFixture,  # (used by name from gabbi YAML)
)
from cyborg.tests.functional.api.inventory_fixtures import (  # noqa: F401
    ProgrammingAgentFixture,
)
from cyborg.tests.functional.api.inventory_fixtures import (  # noqa: F401
    SampleInventoryFixture,
)

PUBLIC_ENDPOINT = 'https://cloud.example.net/accelerator'
_STATE = {}


def _current_app(environ, start_response):
    return _STATE['app'](environ, start_response)


def setup_app():
    """The ``intercept`` callable (gabbi calls it when it builds tests):
    a WSGI app that hands each request to the running fixture's app."""
    return _current_app


def init_conf():
    """Parse an empty command line once (oslo.policy needs it)."""
    if not _STATE.get('conf_parsed'):
        CONF([], project='cyborg', default_config_files=[],
             default_config_dirs=[])
        _STATE['conf_parsed'] = True


def current_database():
    return _STATE['database']


class APIFixture(fixture.GabbiFixture):
    legacy_policy = False
    start_conductor = True   # False: the caller runs one (shared) itself

    def start_fixture(self):
        init_conf()
        self.database = database.Database()
        self.database.setUp()
        self.conductor = None
        if self.start_conductor:
            self.conductor = services.Conductor()
            self.conductor.setUp()
        _STATE['database'] = self.database
        _STATE['app'] = services.api_app(public_endpoint=PUBLIC_ENDPOINT,
                                         legacy_policy=self.legacy_policy)

    def stop_fixture(self):
        _STATE.pop('app', None)
        _STATE.pop('database', None)
        for name in ('auth_strategy', 'public_endpoint'):
            CONF.clear_override(name, group='api')
        CONF.clear_override('enforce_new_defaults', group='oslo_policy')
        policies.reset()
        if self.conductor is not None:
            self.conductor.cleanUp()
        self.database.cleanUp()


class LegacyPolicyFixture(APIFixture):
    legacy_policy = True


# Provider uuids, attach handles and PCI addresses of samples/arq-*.json.
INVENTORY = [
    ('9ccddf59-cdc9-456b-a69b-36a6950c3624',
     '9a82c89f-85ac-4c3f-8e12-3d7747443dd3', '3b'),
    ('28cb11ea-a4f9-4fde-b199-a685f4e74125',
     'fb39db58-0ebc-4200-9087-e058de2b5d89', 'd8'),
    ('993bfc0e-d649-45f8-af9f-25f758afed5a',
     '5b0c3f29-8f0e-4c35-9d59-1f1a4e0c7a21', 'af'),
]


def add_inventory(session, hostname='compute-07', inventory=INVENTORY):
    """One device per entry, each with one deployable and one PCI handle."""
    for rp_uuid, handle_uuid, bus in inventory:
        device = models.Device(
            uuid=str(uuid_lib.uuid4()), type='GPU',
            vendor='10de', model='1eb8', hostname=hostname)
        session.add(device)
        session.flush()
        address = {'domain': '0000', 'bus': bus, 'device': '00',
                   'function': '0'}
        cpid = models.ControlpathID(
            uuid=str(uuid_lib.uuid4()), device_id=device.id,
            cpid_type='PCI', cpid_info=json.dumps(address))
        deployable = models.Deployable(
            uuid=str(uuid_lib.uuid4()),
            name='%s_0000:%s:00.0' % (hostname, bus), num_accelerators=1,
            device_id=device.id, rp_uuid=rp_uuid, driver_name='fake')
        session.add_all([cpid, deployable])
        session.flush()
        session.add(models.AttachHandle(
            uuid=handle_uuid, deployable_id=deployable.id, cpid_id=cpid.id,
            in_use=False, attach_type='PCI',
            attach_info=json.dumps(address, sort_keys=True)))
    session.commit()


class InventoryFixture(fixture.GabbiFixture):
    def start_fixture(self):
        session = current_database().session()
        try:
            add_inventory(session)
        finally:
            session.close()

    def stop_fixture(self):
        pass


SAMPLE_PROJECT = '5d44c2d34f7a4560a7b098dc7247d8c4'
SAMPLE_PROFILES = [
    ('6cbfb1ad-0a7c-4dbf-a3ac-0d0a4d6f1f64', 'gpu-t4-pair',
     'Two NVIDIA T4 GPUs passed through whole',
     [{'resources:PGPU': '1', 'trait:CUSTOM_NVIDIA_1EB8': 'required'},
      {'resources:PGPU': '1', 'trait:CUSTOM_NVIDIA_1EB8': 'required'}]),
    ('606fa3f7-5d6b-4491-bd96-933d5134446b', 'fpga-gzip-x1',
     'Single Arria10 FPGA with the gzip function',
     [{'resources:FPGA': '1',
       'trait:CUSTOM_FPGA_INTEL_ARRIA10': 'required',
       'trait:CUSTOM_FUNCTION_GZIP': 'required'}]),
]
# (uuid, profile index, group, project, state, instance)
SAMPLE_ARQS = [
    ('c7038376-cf20-4489-ba93-757146ba287c', 0, 0, SAMPLE_PROJECT,
     'Initial', None),
    ('1c4d216b-dadc-4130-8da9-c74dd7e058dc', 0, 1, SAMPLE_PROJECT,
     'Initial', None),
    ('74373ce2-c212-477d-9ec9-e4ba200d7b75', 1, 0, SAMPLE_PROJECT,
     'Initial', None),
    ('2f1d4c6b-3a5e-4b7d-8c9f-0e1a2b3c4d5e', 1, 0, 'other-project',
     'BindStarted', '0b9b5d8e-7c1a-4f5e-9a64-3c2f8e1d0a77'),
]


def add_sample_arqs(session):
    profiles = []
    for uuid, name, description, groups in SAMPLE_PROFILES:
        profile = models.DeviceProfile(
            uuid=uuid, name=name, description=description,
            profile_json=json.dumps({'groups': groups}))
        session.add(profile)
        profiles.append(profile)
    session.flush()
    for uuid, index, group, project, state, instance in SAMPLE_ARQS:
        session.add(models.ExtArq(
            uuid=uuid, project_id=project, state=state,
            device_profile_id=profiles[index].id,
            device_profile_group_id=group, instance_uuid=instance,
            hostname='compute-09' if instance else None))
    session.commit()


class SampleArqsFixture(InventoryFixture):
    def start_fixture(self):
        session = current_database().session()
        try:
            add_sample_arqs(session)
        finally:
            session.close()


# Two more ARQs of the sample project for the 2.4 story: one whose bind
# failed (with its reason), one whose bind is running (its state_reason is
# the internal marker of the conductor that binds it).
FAILED_ARQ = '5e0a1c2d-3b4f-4a6e-8d7c-9f0e1d2c3b4a'
BINDING_ARQ = '6f1b2d3e-4c5a-4b7f-9e8d-0a1f2e3d4c5b'
FAILED_REASON = 'No free attach handle on provider ' + INVENTORY[0][0]


class FailedArqFixture(fixture.GabbiFixture):
    def start_fixture(self):
        session = current_database().session()
        try:
            profile = session.scalars(sa.select(models.DeviceProfile).where(
                models.DeviceProfile.name == 'fpga-gzip-x1')).one()
            session.add_all([
                models.ExtArq(
                    uuid=FAILED_ARQ, project_id=SAMPLE_PROJECT,
                    state='BindFailed', device_profile_id=profile.id,
                    device_profile_group_id=0, hostname='compute-07',
                    device_rp_uuid=INVENTORY[0][0],
                    instance_uuid='7d2c3e4f-5a6b-4c8d-9e0f-1a2b3c4d5e6f',
                    state_reason=FAILED_REASON),
                models.ExtArq(
                    uuid=BINDING_ARQ, project_id=SAMPLE_PROJECT,
                    state='BindStarted', device_profile_id=profile.id,
                    device_profile_group_id=0, hostname='compute-08',
                    device_rp_uuid=INVENTORY[1][0],
                    instance_uuid='8e3d4f5a-6b7c-4d9e-8f1a-2b3c4d5e6f7a',
                    state_reason='bind in progress on conductor c-1')])
            session.commit()
        finally:
            session.close()

    def stop_fixture(self):
        pass
