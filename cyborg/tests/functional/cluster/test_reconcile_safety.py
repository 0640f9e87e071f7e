"""Reconciliation and agent reports racing, against the real Placement.

* a report deletes a vanished deployable's provider after its DB
  transaction committed (another writer can take the SQLite write lock
  during the DELETE; the row is already ``pending_removal``);
* reconciliation never re-creates the provider of a deployable being
  removed, whichever step of reconciliation the report's removal lands in;
* a report whose Placement DELETE failed is repaired by the next report;
  reconciliation meanwhile keeps that provider fully reserved;
* a provider of ours left without deployable is deleted; Nova's are not.
"""
import sqlite3

import pytest
import sqlalchemy as sa

from cyborg.common import exception
from cyborg.conductor.inventory import reconcile
from cyborg.conductor.inventory import report as inventory
from cyborg.db import models
from cyborg.tests.functional.inventory import conftest

HOST = conftest.HOST
FAKE_NAME = HOST + '_FakeDevice'
FAKE_RP = '543a03cc-fcc6-3b4f-bd88-b6df86721dd1'


class Hooked:
    """A Placement client that runs ``hooks[name]()`` once, before the
    first call of method ``name``."""

    def __init__(self, client, **hooks):
        self._client, self._hooks = client, hooks

    def __getattr__(self, name):
        real = getattr(self._client, name)
        hook = self._hooks.pop(name, None)
        if hook is None:
            return real

        def call(*args, **kwargs):
            hook(*args)
            return real(*args, **kwargs)
        return call


def _deployables(database):
    with database.session() as s:
        return {d.name: d for d in s.scalars(sa.select(models.Deployable))}


def _report(ctx, devices, client=None):
    return inventory.report_data(ctx, HOST, devices, client=client)


def _sqlite_path(database):
    return database.engine.url.database


def test_report_deletes_provider_after_commit(ctx, database, placement,
                                              cn):
    _report(ctx, conftest.fake_devices())
    seen = {}

    def during_delete(rp_uuid):
        raw = sqlite3.connect(_sqlite_path(database), timeout=0)
        try:
            raw.execute('BEGIN IMMEDIATE')   # fails if a writer is open
            seen['pending'] = raw.execute(
                'SELECT pending_removal FROM deployables').fetchone()[0]
            raw.rollback()
        finally:
            raw.close()
        seen['rp'] = rp_uuid
    client = Hooked(placement.new_client(), delete_provider=during_delete)
    summary = _report(ctx, [], client=client)
    assert seen == {'rp': FAKE_RP, 'pending': 1}
    assert summary['removed'] == 1
    assert placement.client.get_provider(FAKE_RP) is None
    assert _deployables(database) == {}


def test_pending_removal_never_recreated(ctx, database, placement,
                                         cn):
    """A report died between its Placement DELETE and its row delete."""
    _report(ctx, conftest.fake_devices())
    with database.session() as s:
        s.execute(sa.update(models.Deployable).values(pending_removal=True))
        s.commit()
    assert placement.raw('DELETE', '/resource_providers/'
                         + FAKE_RP).status_code == 204
    assert reconcile.reconcile(ctx, placement.new_client()) == {}
    assert placement.client.get_provider(FAKE_RP) is None
    # The next report (the device is still gone) finishes the removal.
    assert _report(ctx, [])['removed'] == 1
    assert _deployables(database) == {}


# Each step of reconciliation's Placement calls for a listed provider (it
# is not looked up again: the tree listing gave it).
@pytest.mark.parametrize('when', ['list_children', 'set_inventory',
                                  'set_provider_traits'])
def test_report_removal_during_reconcile(ctx, database, placement, cn,
                                         when):
    _report(ctx, conftest.fake_devices())
    # Drift, so that reconciliation has something to write.
    assert placement.raw('DELETE', '/resource_providers/'
                         + FAKE_RP).status_code == 204
    if when != 'list_children':
        reconcile.reconcile(ctx, placement.new_client())  # provider back
        placement.raw('PUT', '/resource_providers/%s/inventories' % FAKE_RP,
                      {'resource_provider_generation':
                       placement.generation(FAKE_RP),
                       'inventories': {'FPGA': {'total': 2}}})
    removed = []

    def report_removes_it(*args):
        removed.append(_report(ctx, [])['removed'])
    client = Hooked(placement.new_client(), **{when: report_removes_it})
    reconcile.reconcile(ctx, client)
    assert removed == [1]
    assert _deployables(database) == {}
    assert placement.client.get_provider(FAKE_RP) is None
    assert placement.client.list_children(cn['uuid']) == []


def test_failed_delete_is_repaired_by_next_report(ctx, database, placement,
                                                  cn):
    _report(ctx, conftest.fake_devices())

    def fail(rp_uuid):
        raise exception.PlacementRequestFailed(
            method='DELETE', url='/resource_providers/' + rp_uuid,
            status=503, detail='down')
    client = Hooked(placement.new_client(), delete_provider=fail)
    summary = _report(ctx, [], client=client)
    assert summary['removed'] == 0
    assert FAKE_NAME in summary['placement_failures']
    assert _deployables(database)[FAKE_NAME].pending_removal is True
    reconcile.reconcile(ctx, placement.new_client())
    inv = placement.client.get_inventories(FAKE_RP)['FPGA']
    assert inv['reserved'] == inv['total'] == 16    # nothing schedulable
    assert _report(ctx, [])['removed'] == 1
    assert placement.client.get_provider(FAKE_RP) is None


def test_orphan_of_ours_deleted_others_kept(ctx, database, placement,
                                            cn):
    _report(ctx, conftest.fake_devices())
    client = placement.client
    ours = client.ensure_provider('0a7e1c2e-7b7b-4d0c-9a51-0c0ffee00001',
                                  HOST + '_gone', cn['uuid'])
    client.set_provider_traits(ours['uuid'], {'OWNER_CYBORG'})
    nova = client.ensure_provider('0a7e1c2e-7b7b-4d0c-9a51-0c0ffee00002',
                                  HOST + '_pci_0000_81_00_0', cn['uuid'])
    reconcile.reconcile(ctx, placement.new_client())
    assert client.get_provider(ours['uuid']) is None
    assert client.get_provider(nova['uuid']) is not None
    assert client.get_provider(FAKE_RP) is not None
