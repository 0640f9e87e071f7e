"""The audit against the REAL Placement: each kind of drift is injected
behind cyborg's back, found, and repaired by --fix (or, for Nova's
allocations, reported and left alone)."""
import sqlalchemy as sa

from cyborg.audit import found as found_mod
from cyborg.audit import run
from cyborg.db import models
from cyborg.tests.functional.audit import conftest
from cyborg.tests.functional.audit.conftest import bind_in_db
from cyborg.tests.functional.audit.conftest import report


def _audit(ctx, placement, fix=False, host=None):
    client = placement.new_client()
    outcome = run.audit(ctx, client, hostname=host, fix=fix)
    return outcome, client


def _kinds(rows):
    return sorted(r.kind for r in rows)


def _put(placement, rp_uuid, what, body):
    body['resource_provider_generation'] = placement.generation(rp_uuid)
    resp = placement.raw('PUT', '/resource_providers/%s/%s'
                         % (rp_uuid, what), body)
    assert resp.status_code == 200, resp.text


def test_in_sync_costs_the_stated_calls_and_writes_nothing(
        ctx, database, placement, cn):
    rps = report(ctx, placement, 4)
    bind_in_db(database, rps[0])   # no allocation yet: found below
    outcome, client = _audit(ctx, placement)
    assert _kinds(outcome.rows) == ['allocation_missing']
    placement.allocate(rps[1], {'PGPU': 1},
                       consumer=bind_in_db(database, rps[1]))
    outcome, client = _audit(ctx, placement)
    assert _kinds(outcome.rows) == ['allocation_missing']
    assert outcome.placement_calls == found_mod.CALLS_PER_HOST + \
        found_mod.CALLS_PER_PROVIDER * 4
    assert client.writes == 0


def test_provider_missing_and_misplaced_repaired(ctx, database, placement,
                                                 cn):
    rps = report(ctx, placement, 3)
    assert placement.raw('DELETE', '/resource_providers/' +
                         rps[0]).status_code == 204
    other = placement.create_compute_node('elsewhere')
    resp = placement.raw('PUT', '/resource_providers/' + rps[1], {
        'name': 'renamed', 'parent_provider_uuid': other['uuid']})
    assert resp.status_code == 200, resp.text
    outcome, _ = _audit(ctx, placement)
    assert _kinds(outcome.rows) == ['provider_misplaced', 'provider_missing']
    row = {r.kind: r for r in outcome.rows}['provider_misplaced']
    assert row.found == {'name': 'renamed', 'parent': other['uuid']}
    assert row.expected['parent'] == cn['uuid']
    fixed, _ = _audit(ctx, placement, fix=True)
    assert [r.result for r in fixed.rows] == ['fixed', 'fixed']
    assert fixed.in_sync and fixed.remaining == []
    for rp in rps[:2]:
        got = placement.client.get_provider(rp)
        assert got['parent_provider_uuid'] == cn['uuid']
        assert placement.client.get_inventories(rp)['PGPU']['total'] == 1
        assert placement.client.get_traits(rp) == {'CUSTOM_GPU_T4',
                                                   'OWNER_CYBORG'}
    assert _audit(ctx, placement)[0].rows == []


def test_inventory_and_traits_repaired_keeping_foreign_fields(
        ctx, database, placement, cn):
    rps = report(ctx, placement, 2)
    _put(placement, rps[0], 'inventories', {'inventories': {
        'PGPU': {'total': 5, 'max_unit': 5, 'allocation_ratio': 2.0},
        'VGPU': {'total': 1}}})
    for name in ('CUSTOM_INTRUDER', 'CUSTOM_FPGA_FUNCTION_ID_KEPT'):
        placement.raw('PUT', '/traits/' + name)
    _put(placement, rps[1], 'traits', {'traits': [
        'CUSTOM_INTRUDER', 'CUSTOM_FPGA_FUNCTION_ID_KEPT']})
    outcome, _ = _audit(ctx, placement)
    assert _kinds(outcome.rows) == ['inventory_mismatch', 'traits_mismatch']
    inv_row = outcome.rows[0]
    assert inv_row.expected == {'PGPU': {'total': 1, 'max_unit': 1,
                                         'reserved': 0}}
    assert set(inv_row.found) == {'PGPU', 'VGPU'}
    assert 'OWNER_CYBORG' in outcome.rows[1].expected
    fixed, _ = _audit(ctx, placement, fix=True)
    assert fixed.in_sync
    inv = placement.client.get_inventories(rps[0])
    assert set(inv) == {'PGPU'} and inv['PGPU']['total'] == 1
    assert inv['PGPU']['allocation_ratio'] == 2.0     # not ours: kept
    assert placement.client.get_traits(rps[1]) == {
        'CUSTOM_GPU_T4', 'OWNER_CYBORG', 'CUSTOM_FPGA_FUNCTION_ID_KEPT'}


def test_disabled_device_must_be_fully_reserved(ctx, database, placement,
                                                cn):
    rps = report(ctx, placement, 1)
    with database.session() as s:
        s.execute(sa.update(models.Device).values(status='maintaining'))
        s.commit()
    outcome, _ = _audit(ctx, placement)
    assert _kinds(outcome.rows) == ['inventory_mismatch']
    assert outcome.rows[0].expected['PGPU']['reserved'] == 1
    assert outcome.rows[0].found['PGPU']['reserved'] == 0
    assert _audit(ctx, placement, fix=True)[0].in_sync
    assert placement.client.get_inventories(rps[0])['PGPU']['reserved'] == 1


def test_rp_uuid_not_stored_is_stored(ctx, database, placement, cn):
    rps = report(ctx, placement, 1)
    with database.session() as s:
        s.execute(sa.update(models.Deployable).values(rp_uuid=None))
        s.commit()
    outcome, _ = _audit(ctx, placement)
    assert _kinds(outcome.rows) == ['rp_uuid_not_stored']
    assert _audit(ctx, placement, fix=True)[0].in_sync
    with database.session() as s:
        assert s.scalar(sa.select(models.Deployable.rp_uuid)) == rps[0]


def test_stray_provider_deleted_unless_nova_holds_it(ctx, database,
                                                     placement, cn):
    report(ctx, placement, 1)
    client = placement.client
    strays = []
    for name in ('stray-free', 'stray-held'):
        rp = client.provider_uuid_for(name)
        client.ensure_provider(rp, name, cn['uuid'])
        client.set_inventory(rp, 'PGPU', 1)
        client.set_provider_traits(rp, ['OWNER_CYBORG'])
        strays.append(rp)
    consumer = placement.allocate(strays[1], {'PGPU': 1})
    # A foreign child (not OWNER_CYBORG) is never ours to report.
    client.ensure_provider(client.provider_uuid_for('nova-vgpu'),
                           'nova-vgpu', cn['uuid'])
    outcome, _ = _audit(ctx, placement)
    assert _kinds(outcome.rows) == ['provider_stray', 'provider_stray']
    held = [r for r in outcome.rows if r.provider == strays[1] and
            r.kind == 'provider_stray'][0]
    assert held.found == {'allocations': [consumer]}
    assert held.fix.startswith('none: allocations held by')
    fixed, _ = _audit(ctx, placement, fix=True)
    results = {(r.kind, r.provider): r.result for r in fixed.rows}
    assert results[('provider_stray', strays[0])] == 'fixed'
    assert results[('provider_stray', strays[1])] == 'reported'
    assert client.get_provider(strays[0]) is None
    assert client.get_provider(strays[1]) is not None
    assert client.get_allocations(strays[1])[consumer]['resources'] == {
        'PGPU': 1}
    assert not fixed.in_sync


def test_nova_allocations_reported_never_touched(ctx, database, placement,
                                                 cn):
    rps = report(ctx, placement, 3)
    missing = bind_in_db(database, rps[0])
    wrong = bind_in_db(database, rps[1])
    placement.allocate(rps[1], {'PGPU': 1}, consumer=wrong)
    # ...and the provider's inventory drifted so that 2 units fit.
    _put(placement, rps[1], 'inventories', {'inventories': {
        'PGPU': {'total': 2, 'max_unit': 2}}})
    placement.deallocate(wrong)
    placement.allocate(rps[1], {'PGPU': 2}, consumer=wrong)
    stranger = placement.allocate(rps[2], {'PGPU': 1})
    outcome, _ = _audit(ctx, placement)
    assert _kinds(outcome.rows) == ['allocation_mismatch',
                                    'allocation_missing',
                                    'allocation_unexpected',
                                    'inventory_mismatch']
    before = {rp: placement.client.get_allocations(rp) for rp in rps}
    fixed, client = _audit(ctx, placement, fix=True)
    results = {r.kind: r.result for r in fixed.rows}
    assert results['allocation_missing'] == 'reported'
    assert results['allocation_unexpected'] == 'reported'
    # the inventory is cyborg's: repaired, even below what Nova holds
    assert results['inventory_mismatch'] == 'fixed'
    assert {rp: placement.client.get_allocations(rp) for rp in rps} == before
    assert _kinds(fixed.remaining) == _kinds(outcome.rows)[:3]
    row = [r for r in fixed.rows if r.kind == 'allocation_unexpected'][0]
    assert row.found['consumer'] == stranger
    assert missing in {r.expected['consumer'] for r in fixed.rows
                       if r.kind == 'allocation_missing'}


def test_compute_node_missing_and_unknown_provider(ctx, database,
                                                   placement, cn):
    rps = report(ctx, placement, 1)
    bind_in_db(database, rps[0])
    with database.session() as s:
        s.execute(sa.update(models.ExtArq).values(
            device_rp_uuid='0e6b1c8a-1f83-4a55-9d2e-4f5a0f7c9b11'))
        s.commit()
    assert _kinds(_audit(ctx, placement)[0].rows) == ['arq_provider_unknown']
    with database.session() as s:
        s.execute(sa.update(models.Device).values(hostname='gone-host'))
        s.commit()
    outcome, client = _audit(ctx, placement, fix=True, host='gone-host')
    assert _kinds(outcome.rows) == ['compute_node_missing']
    assert outcome.rows[0].result == 'reported'
    assert client.writes == 0


def test_host_filter(ctx, database, placement, cn):
    report(ctx, placement, 2)
    placement.create_compute_node('compute-02')
    rps2 = report(ctx, placement, 1, host='compute-02')
    assert placement.raw('DELETE', '/resource_providers/' +
                         rps2[0]).status_code == 204
    assert _audit(ctx, placement, host=conftest.HOST)[0].rows == []
    outcome, _ = _audit(ctx, placement, host='compute-02')
    assert (outcome.hosts, _kinds(outcome.rows)) == (1, ['provider_missing'])


def test_bound_arq_with_a_wrong_attach_handle(ctx, database, placement, cn):
    rps = report(ctx, placement, 2)
    server = bind_in_db(database, rps[0])
    placement.allocate(rps[0], {'PGPU': 1}, consumer=server)
    assert _audit(ctx, placement)[0].rows == []
    with database.session() as s:      # its handle released behind its back
        s.execute(sa.update(models.AttachHandle).values(in_use=False))
        s.commit()
    outcome, client = _audit(ctx, placement, fix=True)
    assert _kinds(outcome.rows) == ['arq_handle_mismatch']
    row = outcome.rows[0]
    assert 'is not in use' in row.found['attach_handle']
    assert row.result == 'reported' and client.writes == 0
    with database.session() as s:      # ...or moved to another deployable
        other = s.scalars(sa.select(models.AttachHandle).join(
            models.Deployable).where(
                models.Deployable.rp_uuid == rps[1])).first()
        other.in_use = True
        s.execute(sa.update(models.ExtArq).values(attach_handle_id=other.id))
        s.commit()
    outcome, _ = _audit(ctx, placement)
    assert 'belongs to deployable' in outcome.rows[0].found['attach_handle']


def test_strays_found_on_a_host_without_devices(ctx, database, placement,
                                                cn):
    client = placement.client
    rp = client.provider_uuid_for('left-behind')
    client.ensure_provider(rp, 'left-behind', cn['uuid'])
    client.set_provider_traits(rp, ['OWNER_CYBORG'])
    assert _audit(ctx, placement)[0].rows == []    # no host known at all
    outcome, _ = _audit(ctx, placement, host=conftest.HOST)
    assert _kinds(outcome.rows) == ['provider_stray']
    with database.session() as s:     # an agent serves the host
        s.add(models.Agent(host='agent-x', compute_node_name=conftest.HOST))
        s.commit()
    assert _kinds(_audit(ctx, placement)[0].rows) == ['provider_stray']
    assert _audit(ctx, placement, fix=True)[0].in_sync
    assert client.get_provider(rp) is None
    assert _audit(ctx, placement, host='no-such-host')[0].rows == []
