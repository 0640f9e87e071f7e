"""The request context over RPC (internals.md §2.1) and Glance's endpoint
chosen from the catalog it carries (§9.7)."""
import json

import oslo_messaging as messaging
import pytest

from cyborg import context
from cyborg.clients import glance
from cyborg.common import exception
from cyborg.common import rpc
from cyborg.conf import CONF
from cyborg.notifications import notifier

# keystonemiddleware's X-Service-Catalog (v2 form, one entry per region).
CATALOG = [
    {'type': 'compute', 'name': 'nova', 'endpoints': [
        {'region': 'RegionOne', 'publicURL': 'http://nova:8774/v2.1'}]},
    {'type': 'image', 'name': 'glance', 'endpoints': [
        {'region': 'RegionOne', 'publicURL': 'http://pub-one:9292',
         'internalURL': 'http://int-one:9292/v2'},
        {'region': 'RegionTwo', 'publicURL': 'http://pub-two:9292/',
         'adminURL': 'http://adm-two:9292'}]},
    {'type': 'placement', 'endpoints': [
        {'region': 'RegionOne', 'publicURL': 'http://placement'}]},
]


@pytest.fixture(autouse=True)
def _conf():
    if not getattr(_conf, 'done', False):
        CONF([], project='cyborg', default_config_files=[],
             default_config_dirs=[])
        _conf.done = True
    yield
    for name in ('endpoint_override', 'region_name', 'valid_interfaces',
                 'service_name'):
        CONF.clear_override(name, group='glance')


def _ctx(catalog=CATALOG, **kwargs):
    return context.RequestContext(auth_token='tok', user_id='u',
                                  project_id='p', service_catalog=catalog,
                                  **kwargs)


def test_catalog_is_reduced_to_image_entries():
    assert [e['type'] for e in _ctx().service_catalog] == ['image']
    assert _ctx(catalog=None).service_catalog == []
    assert _ctx(catalog={'not': 'a list'}).service_catalog == []
    assert _ctx(catalog=['junk', {'type': 'image'}]).service_catalog == [
        {'type': 'image'}]


def test_from_environ_reads_the_catalog_header():
    ctx = context.RequestContext.from_environ({
        'HTTP_X_AUTH_TOKEN': 'tok', 'HTTP_X_USER_ID': 'u',
        'HTTP_X_USER_NAME': 'nova', 'HTTP_X_PROJECT_NAME': 'service',
        'HTTP_X_SERVICE_CATALOG': json.dumps(CATALOG)})
    assert ctx.service_catalog == [CATALOG[1]]
    assert (ctx.user_name, ctx.project_name) == ('nova', 'service')


def test_rpc_serializer_round_trip_keeps_identity_and_catalog():
    ctx = _ctx(user_name='nova', project_name='service', roles=['admin'])
    wire = rpc.ContextSerializer().serialize_context(ctx)
    # What the transport really carries: JSON.
    wire = json.loads(json.dumps(wire))
    assert wire['service_catalog'] == [CATALOG[1]]
    assert (wire['user_id'], wire['user_name'], wire['project_name']) == (
        'u', 'nova', 'service')
    back = rpc.ContextSerializer().deserialize_context(wire)
    assert isinstance(back, context.RequestContext)
    assert back.service_catalog == [CATALOG[1]]
    assert (back.auth_token, back.user_id, back.project_id) == ('tok', 'u',
                                                                'p')
    assert (back.user_name, back.project_name) == ('nova', 'service')
    assert back.is_admin
    assert back.elevated().service_catalog == [CATALOG[1]]


def test_notifications_never_carry_token_or_catalog():
    sent = notifier.ContextSerializer().serialize_context(_ctx())
    assert 'service_catalog' not in sent and 'auth_token' not in sent
    assert sent['project_id'] == 'p'


def test_in_process_transport_carries_the_catalog():
    """Through oslo.messaging's fake transport, serializer included."""
    transport = messaging.get_rpc_transport(CONF, url='fake://')
    seen = {}

    class Endpoint:
        target = messaging.Target(version='1.0')

        def echo(self, ctx):
            seen['catalog'] = ctx.service_catalog
            return ctx.auth_token

    target = messaging.Target(topic='ctx-test', server='s')
    server = messaging.get_rpc_server(
        transport, target, [Endpoint()],
        serializer=rpc.ContextSerializer())
    server.start()
    try:
        client = messaging.get_rpc_client(
            transport, messaging.Target(topic='ctx-test', server='s'),
            serializer=rpc.ContextSerializer())
        assert client.call(_ctx(), 'echo') == 'tok'
    finally:
        server.stop()
        server.wait()
        transport.cleanup()
    assert seen['catalog'] == [CATALOG[1]]


@pytest.mark.parametrize('options,url', [
    # defaults: interfaces internal then public, any region
    ({}, 'http://int-one:9292'),
    ({'valid_interfaces': ['public']}, 'http://pub-one:9292'),
    ({'region_name': 'RegionTwo'}, 'http://pub-two:9292'),
    ({'region_name': 'RegionTwo', 'valid_interfaces': ['admin']},
     'http://adm-two:9292'),
    ({'service_name': 'glance'}, 'http://int-one:9292'),
    ({'endpoint_override': 'http://override:9292/v2/'},
     'http://override:9292'),
])
def test_glance_endpoint_from_catalog_and_options(options, url):
    for name, value in options.items():
        CONF.set_override(name, value, group='glance')
    assert glance.endpoint_for(_ctx()) == url


def test_v3_catalog_form_is_understood():
    v3 = [{'type': 'image', 'endpoints': [
        {'interface': 'admin', 'region': 'R', 'url': 'http://adm:9292'},
        {'interface': 'public', 'region': 'R', 'url': 'http://pub:9292/v2'}]}]
    assert glance.endpoint_for(_ctx(catalog=v3)) == 'http://pub:9292'


@pytest.mark.parametrize('options,catalog', [
    ({}, None),
    ({'region_name': 'Nowhere'}, CATALOG),
    ({'valid_interfaces': ['admin'], 'region_name': 'RegionOne'}, CATALOG),
    ({'service_name': 'other-glance'}, CATALOG),
])
def test_no_endpoint_is_a_clear_error(options, catalog):
    for name, value in options.items():
        CONF.set_override(name, value, group='glance')
    with pytest.raises(exception.ImageServiceError) as err:
        glance.endpoint_for(_ctx(catalog=catalog))
    assert 'no Glance endpoint' in str(err.value)
    assert 'endpoint_override' in str(err.value)
