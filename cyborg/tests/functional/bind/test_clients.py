"""The Nova client against the recording endpoint, the Glance client
and the agent's preparation helpers."""
import http.server
import os
import threading
import uuid

import pytest

from cyborg.accelerator.drivers import host
from cyborg.agent import preparation
from cyborg.clients import glance
from cyborg.clients import ksa
from cyborg.clients import nova as nova_client
from cyborg.common import exception
from cyborg.tests.fixtures import nova
from cyborg.tests.functional.bind import env

SERVER = '6f2c43b1-5d1e-4b8e-9c1a-0d6e2f7a9b10'


@pytest.fixture
def fake():
    env.init_conf()
    with nova.FakeNova() as fake:
        yield fake


def _client(fake):
    adapter = ksa.token_endpoint_adapter(fake.url, service_type='compute')
    return nova_client.NovaClient(adapter=adapter)


EVENTS = [nova_client.event(SERVER, 'arq-1', 'completed'),
          nova_client.event(SERVER, 'arq-2', 'failed')]


@pytest.mark.parametrize('mode', ['ok', 'not-on-host', 'unknown-server'])
def test_accepted_answers_are_final(fake, mode):
    fake.mode = mode
    _client(fake).send_events(EVENTS)          # no Retry
    assert fake.bodies() == [{'events': EVENTS}]
    path, headers, _ = fake.requests[0]
    assert headers['OpenStack-API-Version'] == 'compute 2.82'


def test_5xx_and_unreachable_are_retried(fake):
    fake.mode = '503'
    with pytest.raises(nova_client.Retry) as retry:
        _client(fake).send_events(EVENTS)
    assert retry.value.events == EVENTS
    fake.down()
    with pytest.raises(nova_client.Retry, match='could not reach Nova'):
        _client(fake).send_events(EVENTS)


def test_not_configured_is_disabled(fake):
    assert not nova_client.NovaClient().enabled


def test_per_event_codes_of_a_207(fake):
    """A 5xx for one event retries that event; 404/422 are final."""
    fake.codes = {'arq-1': 500, 'arq-2': 422}
    events = EVENTS + [nova_client.event(SERVER, 'arq-3', 'completed')]
    with pytest.raises(nova_client.Retry) as retry:
        _client(fake).send_events(events)
    assert [e['tag'] for e in retry.value.events] == ['arq-1']
    fake.codes = {'arq-1': 404}
    _client(fake).send_events(events)           # final: no Retry


class _Glance(http.server.BaseHTTPRequestHandler):
    images = {}

    def log_message(self, *args):
        pass

    def do_GET(self):
        parts = self.path.strip('/').split('/')
        token = self.headers.get('X-Auth-Token')
        image = self.images.get(parts[2]) if len(parts) > 2 else None
        if token != 'user-token':
            self.send_response(401)
            data = b''
        elif image is None:
            self.send_response(404)
            data = b''
        elif parts[-1] == 'file':
            self.send_response(200 if image else 204)
            data = image
        else:
            self.send_response(200)
            data = b'{"id": "%s"}' % parts[2].encode()
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def glance_url():
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), _Glance)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield 'http://127.0.0.1:%d/v2' % server.server_address[1]
    server.shutdown()
    server.server_close()


class _Ctx:
    auth_token = 'user-token'


def test_glance_download_and_errors(glance_url, tmp_path):
    env.init_conf()
    good, empty = str(uuid.uuid4()), str(uuid.uuid4())
    _Glance.images = {good: b'bitstream', empty: b''}
    base = glance_url.rsplit('/v2', 1)[0]
    target = tmp_path / 'image.gbs'

    def fetch(image_id):
        return glance.GlanceClient(_Ctx(), endpoint=base).download(
            image_id, str(target))

    assert fetch(good) == len(b'bitstream')
    assert target.read_bytes() == b'bitstream'
    assert glance.GlanceClient(_Ctx(), endpoint=base).get_image(good) == \
        {'id': good}
    with pytest.raises(exception.ImageNotFound):
        fetch(str(uuid.uuid4()))
    with pytest.raises(exception.ImageUnacceptable):
        fetch(empty)
    anonymous = _Ctx()
    anonymous.auth_token = 'other'
    with pytest.raises(exception.ImageNotAuthorized):
        glance.GlanceClient(anonymous, endpoint=base).download(
            good, str(target))


def test_glance_endpoint_strips_version():
    env.init_conf()
    from cyborg.conf import CONF
    CONF.set_override('endpoint_override', 'http://g:9292/v2/',
                      group='glance')
    try:
        assert glance.endpoint_for(None) == 'http://g:9292'
    finally:
        CONF.clear_override('endpoint_override', group='glance')
    ctx = _Ctx()
    ctx.service_catalog = [{'type': 'image', 'endpoints': [
        {'interface': 'public', 'url': 'http://cat:9292/v2.1'}]}]
    assert glance.endpoint_for(ctx) == 'http://cat:9292'
    with pytest.raises(exception.ImageServiceError):
        glance.endpoint_for(_Ctx())


def _tree(tmp_path):
    view = host.HostView(root=str(tmp_path), privileged=False)
    types = tmp_path / 'sys/class/mdev_bus/0000:3b:00.0/' \
        'mdev_supported_types/nvidia-222'
    os.makedirs(types / 'devices')
    (types / 'create').write_text('')
    return view, types


def test_mdev_create_and_remove_are_idempotent(tmp_path):
    view, types = _tree(tmp_path)
    ah = str(uuid.uuid4())
    assert preparation.create_vgpu_mdev(view, '0000:3b:00.0', 'nvidia-222',
                                        ah)
    assert (types / 'create').read_text() == ah
    # The kernel would now show the device; an existing one is kept.
    (types / 'devices' / ah).mkdir()
    (types / 'devices' / ah / 'remove').write_text('')
    assert not preparation.create_vgpu_mdev(view, '0000:3b:00.0',
                                            'nvidia-222', ah)
    assert preparation.remove_vgpu_mdev(view, '0000:3b:00.0', 'nvidia-222',
                                        ah)
    assert (types / 'devices' / ah / 'remove').read_text() == '1'
    os.remove(types / 'devices' / ah / 'remove')
    assert not preparation.remove_vgpu_mdev(view, '0000:3b:00.0',
                                            'nvidia-222', ah)


def test_program_downloads_runs_and_cleans_up(tmp_path):
    seen = {}

    class Driver(preparation.base.Programmable):
        def program(self, controlpath_id, image_path):
            seen['path'] = image_path
            with open(image_path) as fh:
                seen['data'] = fh.read()
            return True

    def fetch(context, image_uuid, path):
        with open(path, 'w') as fh:
            fh.write('bits')

    image = str(uuid.uuid4())
    assert preparation.program(None, Driver(), {'cpid_type': 'PCI'}, image,
                               fetch=fetch)
    assert seen['data'] == 'bits'
    assert os.path.basename(seen['path']).startswith(image)
    assert seen['path'].endswith('.gbs')
    assert not os.path.exists(seen['path'])
    with pytest.raises(exception.InvalidUUID):
        preparation.program(None, Driver(), {}, 'not-a-uuid', fetch=fetch)
    with pytest.raises(exception.ServerError):
        preparation.program(None, object(), {}, image, fetch=fetch)
