"""An upstream Cyborg 17.0.0 deployment, restored from the fixtures.

``cyborg/tests/fixtures/upgrade/upstream-17.0.0-<backend>.sql`` is a dump
made by ``tools/upgrade/make_upstream_dump.py`` (upstream's own schema
and code); ``upstream-17.0.0-manifest-<backend>.json`` holds what that
deployment told Placement, the reports its agents sent and its ARQ uuids
by state.
"""
import json
import os

import sqlalchemy as sa

FIXTURES = os.path.join(os.path.dirname(__file__), '..', '..', 'fixtures',
                        'upgrade')
PG_SCHEMA = 'cyborg_upstream17'


def dump_path(backend):
    return os.path.join(FIXTURES, 'upstream-17.0.0-%s.sql' % backend)


def manifest(backend):
    path = os.path.join(FIXTURES,
                        'upstream-17.0.0-manifest-%s.json' % backend)
    with open(path) as f:
        return json.load(f)


def statements(text):
    """The dump's statements: each ends with ';' at the end of a line."""
    current = []
    for line in text.splitlines():
        if not current and (not line.strip() or line.startswith('--')):
            continue
        current.append(line)
        if line.rstrip().endswith(';'):
            yield '\n'.join(current)
            current = []
    if current:
        raise ValueError('unterminated statement: %s' % current[0][:80])


def restore(backend, engine, schema=None):
    """Load the dump of ``backend`` into the empty database of ``engine``
    (PostgreSQL: into ``schema``)."""
    with open(dump_path(backend)) as f:
        text = f.read()
    if backend == 'postgresql':
        text = text.replace(PG_SCHEMA + '.', schema + '.')
    with engine.begin() as conn:
        for statement in statements(text):
            conn.exec_driver_sql(statement.replace('%', '%%'))


def schema_of(url):
    """The PostgreSQL schema a ThrowawayDatabase URL selects."""
    options = sa.engine.make_url(url).query.get('options', '')
    return options.split('search_path=', 1)[1]


def provider_tree(placement, compute_nodes):
    """{name: (uuid, parent uuid, inventories, traits)} of every provider
    under ``compute_nodes`` in the real Placement."""
    out = {}
    for root in compute_nodes.values():
        body = placement.raw(
            'GET', '/resource_providers?in_tree=%s' % root).json()
        for rp in body['resource_providers']:
            if rp['uuid'] == root:
                continue
            inv = placement.raw(
                'GET', '/resource_providers/%s/inventories' % rp['uuid']
            ).json()['inventories']
            traits = placement.raw(
                'GET', '/resource_providers/%s/traits' % rp['uuid']
            ).json()['traits']
            out[rp['name']] = (
                rp['uuid'], rp['parent_provider_uuid'],
                {rc: (i['total'], i['max_unit']) for rc, i in inv.items()},
                sorted(traits))
    return out


def seed_placement(placement, data):
    """The providers the upstream deployment had: compute nodes (made by
    Nova) and the children upstream's conductor made, with their
    inventories and traits."""
    for host, rp_uuid in data['compute_nodes'].items():
        placement.create_compute_node(host, rp_uuid)
    for rp in data['providers']:
        placement._ok(placement.raw('POST', '/resource_providers', {
            'name': rp['name'], 'uuid': rp['uuid'],
            'parent_provider_uuid': rp['parent']}), 200)
        for rc in rp['inventories']:
            if rc.startswith('CUSTOM_'):
                placement._ok(placement.raw(
                    'PUT', '/resource_classes/%s' % rc), 201, 204)
        for trait in rp['traits']:
            if trait.startswith('CUSTOM_'):
                placement._ok(placement.raw('PUT', '/traits/%s' % trait),
                              201, 204)
        generation = placement.generation(rp['uuid'])
        body = placement._ok(placement.raw(
            'PUT', '/resource_providers/%s/inventories' % rp['uuid'],
            {'resource_provider_generation': generation,
             'inventories': rp['inventories']}), 200)
        placement._ok(placement.raw(
            'PUT', '/resource_providers/%s/traits' % rp['uuid'],
            {'resource_provider_generation':
                body['resource_provider_generation'],
             'traits': rp['traits']}), 200)
