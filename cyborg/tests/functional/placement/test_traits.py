"""Traits against real Placement (§4.4.5, decisions D3.5: never delete
traits globally)."""
import logging

import pytest

from cyborg.clients import placement as pc
from cyborg.tests.fixtures.placement import InterleavingAdapter
from cyborg.tests.functional.placement import conftest

DEVICE = 'compute-01_0000:d8:00.0'


@pytest.fixture
def rp(placement):
    return conftest.device_provider(placement, DEVICE)


def _trait_exists(placement, name):
    return placement.raw('GET', '/traits/%s' % name).status_code == 204


def test_validity():
    assert pc.is_valid_trait('OWNER_CYBORG')
    assert pc.is_valid_trait('CUSTOM_NVIDIA_1EB8_T4_2B')
    for bad in ('CUSTOM_', 'custom_x', 'NOT_A_STANDARD_TRAIT',
                'CUSTOM_FPGA_FUNCTION_ID_INTEL_-ABC', 'CUSTOM_' + 'A' * 249,
                '', None):
        assert not pc.is_valid_trait(bad), bad


def test_set_provider_traits_creates_custom_traits(placement, rp):
    client = placement.client
    wanted = {'OWNER_CYBORG', 'CUSTOM_NVIDIA_1EB8_T4_2B'}
    assert client.set_provider_traits(rp, wanted) is True
    assert client.get_traits(rp) == wanted
    assert _trait_exists(placement, 'CUSTOM_NVIDIA_1EB8_T4_2B')


def test_identical_traits_are_not_written(placement, rp):
    client = placement.client
    client.set_provider_traits(rp, ['OWNER_CYBORG', 'CUSTOM_A'])
    generation = placement.generation(rp)
    client.reset_stats()
    assert client.set_provider_traits(rp, ['CUSTOM_A', 'OWNER_CYBORG']) \
        is False
    assert client.ensure_traits(rp, ['CUSTOM_A']) is False
    assert client.writes == 0
    assert placement.generation(rp) == generation


def test_invalid_names_are_skipped_and_logged(placement, rp, caplog):
    client = placement.client
    with caplog.at_level(logging.WARNING, logger=pc.__name__):
        client.set_provider_traits(
            rp, ['CUSTOM_OK', 'CUSTOM_FPGA_FUNCTION_ID_X_-1', 'lower'])
    assert client.get_traits(rp) == {'CUSTOM_OK'}
    assert 'CUSTOM_FPGA_FUNCTION_ID_X_-1' in caplog.text
    assert 'lower' in caplog.text


def test_existing_custom_trait_is_not_recreated(placement, rp):
    client = placement.client
    assert placement.raw('PUT', '/traits/CUSTOM_SHARED').status_code == 201
    client.set_provider_traits(rp, ['CUSTOM_SHARED'])
    # reads: provider traits, /traits?name=in:...; writes: provider traits
    assert client.stats == {'GET': 2, 'PUT': 1, 'POST': 0, 'DELETE': 0}


def test_ensure_traits_is_a_union(placement, rp):
    client = placement.client
    client.set_provider_traits(rp, ['CUSTOM_A'])
    assert client.ensure_traits(rp, ['OWNER_CYBORG', 'bad name']) is True
    assert client.get_traits(rp) == {'CUSTOM_A', 'OWNER_CYBORG'}


def test_traits_removed_from_provider_only(placement, rp):
    client = placement.client
    client.set_provider_traits(rp, ['CUSTOM_A', 'CUSTOM_B', 'OWNER_CYBORG'])
    assert client.set_provider_traits(rp, ['OWNER_CYBORG']) is True
    assert client.get_traits(rp) == {'OWNER_CYBORG'}
    assert client.stats['DELETE'] == 0
    assert _trait_exists(placement, 'CUSTOM_A')
    assert _trait_exists(placement, 'CUSTOM_B')


def test_remove_provider_traits_by_name_and_prefix(placement, rp):
    client = placement.client
    client.set_provider_traits(rp, [
        'OWNER_CYBORG', 'CUSTOM_FPGA_FUNCTION_ID_INTEL_ABC',
        'CUSTOM_FPGA_FUNCTION_ID_INTEL_DEF', 'CUSTOM_X'])
    assert client.remove_provider_traits(
        rp, ['CUSTOM_X'], prefix='CUSTOM_FPGA_FUNCTION_ID') is True
    assert client.get_traits(rp) == {'OWNER_CYBORG'}
    assert client.remove_provider_traits(rp, ['CUSTOM_X']) is False
    assert _trait_exists(placement, 'CUSTOM_FPGA_FUNCTION_ID_INTEL_ABC')


def test_trait_generation_conflict_is_retried(placement, rp):
    adapter = InterleavingAdapter(
        placement.adapter, 'PUT', '/resource_providers/%s/traits' % rp,
        lambda: placement.bump_generation(rp))
    client = pc.PlacementClient(adapter=adapter)
    assert client.ensure_traits(rp, ['OWNER_CYBORG']) is True
    assert adapter.remaining == 0
    assert client.stats['PUT'] == 2
    assert client.get_traits(rp) == {'OWNER_CYBORG'}
