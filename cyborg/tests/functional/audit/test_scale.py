"""A 1,000-device audit makes the stated number of Placement calls.

The deployment is seeded fast and directly: the database rows in bulk,
and the providers (with inventory and traits, as the inventory flow
writes them) straight into the real Placement application. (The exact
in-sync count, ``3 + 3 * D``, is checked at small size in test_audit;
benchmarks/bench_audit.py measures every case at 1,000.) The audit
itself goes through the ordinary client, whose counters are checked
against the bound stated in ``cyborg.audit.found``.
"""
import json
import uuid

import sqlalchemy as sa
import webob

from cyborg import placement_embedded
from cyborg.audit import found
from cyborg.audit import run
from cyborg.clients import placement as placement_client
from cyborg.db import models
from cyborg.tests.functional.audit import conftest

DEVICES = 1000
TRAITS = ['CUSTOM_GPU_T4', 'OWNER_CYBORG']


def _call(method, path, body=None, headers=None):
    """One request to the active (real) Placement application, in
    process and without HTTP client layers."""
    req = webob.Request.blank(path, method=method, headers=dict(
        headers or {}, **{'X-Auth-Token': placement_embedded.ADMIN_TOKEN}))
    req.headers.setdefault('OpenStack-API-Version', 'placement 1.39')
    req.accept = 'application/json'
    if body is not None:
        req.body = json.dumps(body).encode()
        req.content_type = 'application/json'
    return req.get_response(placement_embedded._active)


def _wsgi(method, path, body=None):
    resp = _call(method, path, body)
    assert resp.status_int < 300, (path, resp.text)
    return resp.json if resp.body else None


class _Response:
    def __init__(self, resp):
        self.status_code = resp.status_int
        self.text = resp.text
        self._resp = resp

    def json(self):
        return self._resp.json


class WsgiAdapter:
    """The keystoneauth adapter interface the client uses, straight onto
    the Placement application (the audit's calls are what is counted;
    the HTTP client stack would only add time)."""

    def request(self, url, method, headers=None, raise_exc=False,
                json=None):
        return _Response(_call(method, url, json, headers))


def _seed(database, cn_uuid, skip_every):
    names = ['%s_0000:%02x:%02x.0' % (conftest.HOST, i // 32, i % 32)
             for i in range(DEVICES)]
    with database.engine.begin() as conn:
        devices = [{'uuid': str(uuid.uuid4()), 'type': 'GPU',
                    'vendor': '10de', 'model': 'T4',
                    'hostname': conftest.HOST, 'status': 'enabled'}
                   for _ in names]
        conn.execute(sa.insert(models.Device), devices)
        ids = dict(conn.execute(sa.select(models.Device.uuid,
                                          models.Device.id)).all())
        rp_uuids = [str(uuid.uuid3(uuid.NAMESPACE_DNS, n)) for n in names]
        conn.execute(sa.insert(models.Deployable), [
            {'uuid': str(uuid.uuid4()), 'name': n, 'num_accelerators': 1,
             'device_id': ids[d['uuid']], 'rp_uuid': rp}
            for n, d, rp in zip(names, devices, rp_uuids)])
        deps = conn.execute(sa.select(models.Deployable.id)).scalars()
        attrs = []
        for dep_id in deps:
            attrs += [{'uuid': str(uuid.uuid4()), 'deployable_id': dep_id,
                       'key': k, 'value': v}
                      for k, v in (('rc', 'PGPU'), ('trait0', TRAITS[0]))]
        conn.execute(sa.insert(models.Attribute), attrs)
    _wsgi('PUT', '/traits/' + TRAITS[0])
    for index, (name, rp) in enumerate(zip(names, rp_uuids)):
        if index % skip_every == 0:
            continue
        _wsgi('POST', '/resource_providers', {
            'uuid': rp, 'name': name, 'parent_provider_uuid': cn_uuid})
        _wsgi('PUT', '/resource_providers/%s/inventories' % rp, {
            'resource_provider_generation': 0,
            'inventories': {'PGPU': {'total': 1, 'max_unit': 1}}})
        _wsgi('PUT', '/resource_providers/%s/traits' % rp, {
            'resource_provider_generation': 1, 'traits': TRAITS})
    return rp_uuids


def test_thousand_devices_bounded_calls(ctx, database, placement, cn):
    """One pass over 1,000 deployables, every tenth provider missing:
    3 calls for the host, 3 per provider present, 1 per provider
    missing; all reads, and under the stated bound."""
    _seed(database, cn['uuid'], skip_every=10)
    client = placement_client.PlacementClient(adapter=WsgiAdapter())
    outcome = run.audit(ctx, client)
    missing = DEVICES // 10
    assert outcome.deployables == DEVICES
    assert [r.kind for r in outcome.rows] == ['provider_missing'] * missing
    assert outcome.placement_calls == client.stats['GET'] == \
        found.CALLS_PER_HOST + found.CALLS_PER_PROVIDER * (
            DEVICES - missing) + missing
    assert outcome.placement_calls <= found.call_bound(1, DEVICES)
    assert client.writes == 0
