"""Fixtures for the gabbi stories under ``gabbits/``.

A story names its fixtures in its YAML (``fixtures: [APIFixture]``):

* ``APIFixture`` -- a fresh database, a conductor on the in-process
  ``fake://`` transport and the API app in noauth mode with new-default
  policies; links start with ``https://cloud.example.net/accelerator`` so
  they equal ``shared/spec/samples``.
* ``LegacyPolicyFixture`` -- the same with ``enforce_new_defaults=False``.
* ``InventoryFixture`` -- (after one of the above) two GPU deployables with
  the provider uuids and PCI attach handles of the samples, so bind
  patches can succeed.

Identity comes from the X-User-Id / X-Project-Id / X-Roles headers,
``X-Service-Roles: service`` stands for a service token and
``OpenStack-System-Scope: all`` for a system-scoped token.
"""
import json

from gabbi import fixture

from cyborg import policies
from cyborg.conf import CONF
from cyborg.db import models
from cyborg.tests.fixtures import database
from cyborg.tests.fixtures import services

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

    def start_fixture(self):
        init_conf()
        self.database = database.Database()
        self.database.setUp()
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
]


def add_inventory(session, hostname='compute-07', inventory=INVENTORY):
    """One device per entry, each with one deployable and one PCI handle."""
    for index, (rp_uuid, handle_uuid, bus) in enumerate(inventory):
        device = models.Device(
            uuid='00000000-0000-4000-8000-%012d' % index, type='GPU',
            vendor='10de', model='1eb8', hostname=hostname)
        session.add(device)
        session.flush()
        address = {'domain': '0000', 'bus': bus, 'device': '00',
                   'function': '0'}
        cpid = models.ControlpathID(
            uuid='00000000-0000-4000-8001-%012d' % index, device_id=device.id,
            cpid_type='PCI', cpid_info=json.dumps(address))
        deployable = models.Deployable(
            uuid='00000000-0000-4000-8002-%012d' % index,
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
