from cyborg.tests.fixtures.placement import placement  # noqa: F401


def device_provider(fixture, name):
    """A deployable's provider under a compute node, as the conductor
    makes it; the client's counters start from zero afterwards."""
    cn = fixture.create_compute_node('compute-01.example.org')
    client = fixture.client
    rp_uuid = client.provider_uuid_for(name)
    client.ensure_provider(rp_uuid, name, cn['uuid'])
    client.reset_stats()
    return rp_uuid
