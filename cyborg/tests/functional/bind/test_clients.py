"""The Nova notifier against the recording endpoint, the Glance client
and the agent's preparation helpers."""
import http.server
import os
import threading
import time
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


def _notifier(fake, **kwargs):
    adapter = ksa.token_endpoint_adapter(fake.url, service_type='compute')
    kwargs.setdefault('first_delay', 0.05)
    kwargs.setdefault('max_delay', 0.2)
    return nova_client.Notifier(
        lambda: nova_client.NovaClient(adapter=adapter), **kwargs)


@pytest.mark.parametrize('mode', ['ok', 'not-on-host', 'unknown-server'])
def test_accepted_answers_are_not_retried(fake, mode):
    fake.mode = mode
    notifier = _notifier(fake)
    events = [nova_client.event(SERVER, 'arq-1', 'completed'),
              nova_client.event(SERVER, 'arq-2', 'failed')]
    notifier.notify(events)
    assert notifier.wait_idle(5)
    assert fake.bodies() == [{'events': events}]
    assert notifier.failures == 0
    notifier.stop()


def test_retries_with_backoff_until_nova_answers(fake):
    fake.mode = '503'
    notifier = _notifier(fake)
    notifier.notify([nova_client.event(SERVER, 'arq-1', 'completed')])
    deadline = time.monotonic() + 5
    while len(fake.bodies()) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    fake.mode = 'ok'
    assert notifier.wait_idle(5)
    assert notifier.failures >= 2 and notifier.sent == 1
    notifier.stop()


def test_gives_up_after_max_age(fake):
    fake.down()
    notifier = _notifier(fake, max_age=0.3)
    notifier.notify([nova_client.event(SERVER, 'arq-1', 'completed')])
    assert notifier.wait_idle(5)
    assert notifier.sent == 0 and notifier.failures >= 1


def test_not_configured_drops_events(fake):
    notifier = nova_client.Notifier(nova_client.NovaClient)
    notifier.notify([nova_client.event(SERVER, 'arq-1', 'completed')])
    assert notifier.wait_idle(5)
    assert fake.bodies() == []


def test_per_event_5xx_in_207_retries_only_those(fake):
    calls = []

    class Resp:
        status_code = 207
        text = ''

        def __init__(self, codes):
            self.codes = codes

        def json(self):
            return {'events': [{'tag': t, 'code': c}
                               for t, c in self.codes.items()]}

    class Adapter:
        def post(self, path, json, headers, raise_exc):
            calls.append([e['tag'] for e in json['events']])
            if len(calls) == 1:
                return Resp({'a': 200, 'b': 500})
            return Resp({'b': 200})

    notifier = nova_client.Notifier(
        lambda: nova_client.NovaClient(adapter=Adapter()), first_delay=0.01)
    notifier.notify([nova_client.event(SERVER, 'a', 'completed'),
                     nova_client.event(SERVER, 'b', 'completed')])
    assert notifier.wait_idle(5)
    assert calls == [['a', 'b'], ['b']]


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
