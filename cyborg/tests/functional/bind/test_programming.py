"""FPGA programming binds in-process (internals.md §5.6): the function id
found in a recording Glance through the request's service catalog (no
``[glance] endpoint_override``), programmed through the agent, the
function trait written to real Placement; and the ways it fails.
"""
import uuid

import pytest
import sqlalchemy as sa

from cyborg.common import states
from cyborg.conductor.bind import programming
from cyborg.conf import CONF
from cyborg.db import models
from cyborg.tests.fixtures import glance as glance_fixture
from cyborg.tests.fixtures import placement as placement_fixture
from cyborg.tests.functional.bind import env

OLD_TRAIT = 'CUSTOM_FPGA_FUNCTION_ID_INTEL_OLD'


@pytest.fixture
def glance(service):
    CONF.set_override('region_name', 'RegionOne', group='glance')
    with glance_fixture.FakeGlance() as fake:
        yield fake
    CONF.clear_override('region_name', group='glance')


@pytest.fixture
def placement(service):
    with placement_fixture.PlacementFixture() as fixture:
        fixture.configure()
        yield fixture


@pytest.fixture
def fpga(service, placement):
    """An FPGA deployable (driver ``intel``) with a Placement provider
    carrying an old function trait and a trait of its own."""
    db = service[0]
    with db.session() as s:
        rp = env.add_device(s, handles=2, agent='agent-1',
                            driver_name='intel')
    cn = placement.create_compute_node('compute-1')
    placement.client.ensure_provider(rp, 'fpga-%s' % rp[:8], cn['uuid'])
    placement.client.ensure_traits(rp, {OLD_TRAIT, 'CUSTOM_KEEP_ME'})
    return rp


def _bind(client, glance, rp, group, server=None):
    name = 'dp-' + uuid.uuid4().hex[:6]
    client.profile(name, [dict({'resources:FPGA': '1'}, **group)])
    arqs = client.create_arqs(name)
    server = server or str(uuid.uuid4())
    body = {a['uuid']: [
        {'path': '/hostname', 'op': 'add', 'value': 'compute-1'},
        {'path': '/device_rp_uuid', 'op': 'add', 'value': rp},
        {'path': '/instance_uuid', 'op': 'add', 'value': server}]
        for a in arqs}
    resp = client('PATCH', '/v2/accelerator_requests', body,
                  headers=glance.headers(env.SERVICE))
    return resp, arqs, server


def _deployable(db, rp):
    with db.session() as s:
        return s.scalars(sa.select(models.Deployable).where(
            models.Deployable.rp_uuid == rp)).one()


def _reason(db, arq_uuid):
    with db.session() as s:
        return s.scalars(sa.select(models.ExtArq.state_reason).where(
            models.ExtArq.uuid == arq_uuid)).one()


def test_function_id_bind_programs_and_sets_trait(service, client, agent,
                                                  glance, placement, fpga):
    db = service[0]
    image = glance.add_image(b'afu-a1', **{'accel:function_id': 'a1b2-C3'})
    glance.add_image(b'other', **{'accel:function_id': 'zz'})
    resp, arqs, server = _bind(client, glance, fpga,
                               {'accel:function_id': 'a1b2-C3'})
    assert resp.status_int == 202, resp.text
    listed = client.wait_resolved(server)
    assert [a['state'] for a in listed] == [states.BOUND], listed
    # Glance was asked by property with the caller's token, found through
    # the catalog (region RegionOne, internal interface).
    assert glance.lookups() == [{'accel:function_id': 'a1b2-C3',
                                 'limit': '2'}]
    assert {t for _, _, t in glance.requests} == {glance_fixture.TOKEN}
    # The agent programmed that image and downloaded it from Glance.
    assert agent.programmed == [(image, 'intel')]
    assert agent.images == [b'bits of %s' % image.encode()]
    traits = placement.client.get_traits(fpga)
    assert traits == {'CUSTOM_KEEP_ME',
                      'CUSTOM_FPGA_FUNCTION_ID_INTEL_A1B2_C3'}
    assert _deployable(db, fpga).bitstream_id == image
    events = service[2].wait_for_events(1)
    assert events[0]['status'] == 'completed'


@pytest.mark.parametrize('images,expected', [
    (0, 'no image'), (2, 'more than one image')])
def test_function_id_needs_exactly_one_image(service, client, agent,
                                             glance, placement, fpga,
                                             images, expected):
    db = service[0]
    for n in range(images):
        glance.add_image(b'x%d' % n, **{'accel:function_id': 'f1'})
    resp, arqs, server = _bind(client, glance, fpga,
                               {'accel:function_id': 'f1'})
    assert resp.status_int == 202, resp.text
    listed = client.wait_resolved(server)
    assert [a['state'] for a in listed] == [states.BIND_FAILED]
    reason = _reason(db, arqs[0]['uuid'])
    assert 'accel:function_id=f1' in reason and expected in reason, reason
    assert agent.programmed == []
    assert placement.client.get_traits(fpga) == {OLD_TRAIT, 'CUSTOM_KEEP_ME'}
    with db.session() as s:
        assert env.handles_in_use(s) == 0
    assert _deployable(db, fpga).bitstream_id is None
    assert service[2].wait_for_events(1)[0]['status'] == 'failed'


def test_failed_programming_keeps_old_trait(service, client, agent, glance,
                                            placement, fpga):
    db = service[0]
    agent.program_ok = False
    glance.add_image(**{'accel:function_id': 'f2'})
    resp, arqs, server = _bind(client, glance, fpga,
                               {'accel:function_id': 'f2'})
    assert resp.status_int == 202, resp.text
    listed = client.wait_resolved(server)
    assert [a['state'] for a in listed] == [states.BIND_FAILED]
    assert 'FPGA programming failed' in _reason(db, arqs[0]['uuid'])
    assert placement.client.get_traits(fpga) == {OLD_TRAIT, 'CUSTOM_KEEP_ME'}
    assert _deployable(db, fpga).bitstream_id is None


def test_bitstream_bind_downloads_through_catalog(service, client, glance,
                                                  tmp_path, placement, fpga):
    """``accel:bitstream_id``: the agent downloads with the caller's token
    from the Glance of the catalog; no endpoint_override anywhere."""
    assert CONF.glance.endpoint_override is None
    endpoint = env.FakeAgentEndpoint(str(tmp_path), glance=True)
    server_ = env.start_agent(endpoint)
    try:
        image = glance.add_image(b'\x00bitstream\xff')
        resp, arqs, server = _bind(client, glance, fpga,
                                   {'accel:bitstream_id': image})
        assert resp.status_int == 202, resp.text
        listed = client.wait_resolved(server)
    finally:
        server_.stop()
        server_.wait()
    assert [a['state'] for a in listed] == [states.BOUND], \
        _reason(service[0], arqs[0]['uuid'])
    assert endpoint.images == [b'\x00bitstream\xff']
    assert glance.downloads() == [image]
    assert _deployable(service[0], fpga).bitstream_id == image
    # The image names no function: the old function trait is gone (the
    # card no longer runs it) and none replaces it; other traits stay.
    assert placement.client.get_traits(fpga) == {'CUSTOM_KEEP_ME'}


def _paths(glance):
    with glance.lock:
        return [p for p, _, _ in glance.requests]


def test_bitstream_bind_sets_the_images_function_trait(
        service, client, agent, glance, placement, fpga):
    """§5.6 4.1/4.3: a bitstream bind reads the image's metadata from
    Glance before programming, and the provider's function trait becomes
    the one of the image's ``accel:function_id``."""
    db = service[0]
    image = glance.add_image(b'afu', **{'accel:function_id': 'Crypto-9'})
    resp, arqs, server = _bind(client, glance, fpga,
                               {'accel:bitstream_id': image})
    assert resp.status_int == 202, resp.text
    listed = client.wait_resolved(server)
    assert [a['state'] for a in listed] == [states.BOUND], \
        _reason(db, arqs[0]['uuid'])
    assert _paths(glance) == ['/v2/images/%s' % image]
    assert glance.lookups() == []
    assert {t for _, _, t in glance.requests} == {glance_fixture.TOKEN}
    assert agent.programmed == [(image, 'intel')]
    assert placement.client.get_traits(fpga) == {
        'CUSTOM_KEEP_ME', 'CUSTOM_FPGA_FUNCTION_ID_INTEL_CRYPTO_9'}
    assert _deployable(db, fpga).bitstream_id == image
    assert service[2].wait_for_events(1)[0]['status'] == 'completed'


def test_bitstream_already_programmed_touches_nothing(
        service, client, agent, glance, placement, fpga):
    """The deployable already holds the image: an instant bind, no Glance
    read, no programming, traits as they were."""
    db = service[0]
    image = glance.add_image(**{'accel:function_id': 'f9'})
    with db.session() as s:
        s.execute(sa.update(models.Deployable).where(
            models.Deployable.rp_uuid == fpga).values(bitstream_id=image))
        s.commit()
    resp, arqs, server = _bind(client, glance, fpga,
                               {'accel:bitstream_id': image})
    assert resp.status_int == 202, resp.text
    listed = client.wait_resolved(server)
    assert [a['state'] for a in listed] == [states.BOUND]
    assert glance.requests == [] and agent.programmed == []
    assert placement.client.get_traits(fpga) == {OLD_TRAIT, 'CUSTOM_KEEP_ME'}


def test_unknown_bitstream_fails_before_programming(
        service, client, agent, glance, placement, fpga):
    """No metadata (Glance answers 404): ``BindFailed`` with the reason,
    the card is not programmed, the handle is released, traits and the
    deployable's bitstream are untouched (upstream went on binding, I10)."""
    db = service[0]
    missing = str(uuid.uuid4())
    resp, arqs, server = _bind(client, glance, fpga,
                               {'accel:bitstream_id': missing})
    assert resp.status_int == 202, resp.text
    listed = client.wait_resolved(server)
    assert [a['state'] for a in listed] == [states.BIND_FAILED]
    reason = _reason(db, arqs[0]['uuid'])
    assert missing in reason, reason
    assert _paths(glance) == ['/v2/images/%s' % missing]
    assert agent.programmed == []
    assert placement.client.get_traits(fpga) == {OLD_TRAIT, 'CUSTOM_KEEP_ME'}
    assert _deployable(db, fpga).bitstream_id is None
    with db.session() as s:
        assert env.handles_in_use(s) == 0
    assert service[2].wait_for_events(1)[0]['status'] == 'failed'


def test_no_catalog_and_no_override_fails_with_reason(service, client,
                                                      agent, placement,
                                                      fpga):
    resp, arqs, server = _bind(client, _NoCatalog(), fpga,
                               {'accel:function_id': 'f3'})
    assert resp.status_int == 202, resp.text
    listed = client.wait_resolved(server)
    assert [a['state'] for a in listed] == [states.BIND_FAILED]
    assert 'no Glance endpoint' in _reason(service[0], arqs[0]['uuid'])
    assert agent.programmed == []


class _NoCatalog:
    @staticmethod
    def headers(base):
        return dict(base, **{'X-Auth-Token': glance_fixture.TOKEN})


@pytest.mark.parametrize('driver,function,trait', [
    ('intel', 'a1b2-c3d4', 'CUSTOM_FPGA_FUNCTION_ID_INTEL_A1B2_C3D4'),
    ('XILINX', 'x.y z', 'CUSTOM_FPGA_FUNCTION_ID_XILINX_X_Y_Z'),
    ('fake', 42, 'CUSTOM_FPGA_FUNCTION_ID_FAKE_42')])
def test_function_trait_names_are_valid(driver, function, trait):
    from cyborg.clients import placement as placement_client
    assert programming.function_trait(driver, function) == trait
    assert placement_client.is_valid_trait(trait)


def test_placement_failure_fails_the_bind_and_records_nothing(
        service, client, agent, glance, placement):
    """The provider is missing from Placement: the card was programmed,
    but the bind fails and the deployable keeps no bitstream, so the next
    bind programs it again."""
    db = service[0]
    with db.session() as s:
        rp = env.add_device(s, handles=2, agent='agent-1',
                            driver_name='intel')
    image = glance.add_image(**{'accel:function_id': 'f4'})
    resp, arqs, server = _bind(client, glance, rp,
                               {'accel:function_id': 'f4'})
    assert resp.status_int == 202, resp.text
    listed = client.wait_resolved(server)
    assert [a['state'] for a in listed] == [states.BIND_FAILED]
    assert rp in _reason(db, arqs[0]['uuid'])
    assert agent.programmed == [(image, 'intel')]
    assert _deployable(db, rp).bitstream_id is None
    with db.session() as s:
        assert env.handles_in_use(s) == 0
