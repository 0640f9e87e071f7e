"""Glance calls carry the service user's token when ``[service_user]
send_service_user_token`` is on (internals §9.8), and only then.

Real HTTP to the recording Glance; the service user's token comes from a
real keystoneauth plugin loaded from the configuration file
(``admin_token``: a fixed token, so no Keystone is needed).
"""
from oslo_config import cfg
import pytest

from cyborg import conf as cyborg_conf
from cyborg.clients import glance
from cyborg.common import exception
from cyborg.tests.fixtures.glance import fake_glance  # noqa: F401


class _Ctx:
    auth_token = 'user-token'


def _conf(tmp_path, text):
    path = tmp_path / 'cyborg.conf'
    path.write_text(text)
    conf = cfg.ConfigOpts()
    cyborg_conf.register_all(conf)
    conf(['--config-file', str(path)], project='cyborg',
         default_config_files=[], default_config_dirs=[])
    return conf


def _fetch(fake, conf):
    image = fake.add_image(b'bits')
    client = glance.GlanceClient(
        _Ctx(), endpoint=fake.url.rsplit('/v2', 1)[0], conf=conf)
    return client.get_image(image)


def test_service_token_sent_when_enabled(fake_glance, tmp_path):  # noqa: F811
    conf = _conf(tmp_path, '[service_user]\n'
                           'send_service_user_token = true\n'
                           'auth_type = admin_token\n'
                           'endpoint = http://127.0.0.1:9/identity\n'
                           'token = service-token\n')
    assert _fetch(fake_glance, conf)['status'] == 'active'
    _fetch(fake_glance, conf)
    assert [t for _, _, t in fake_glance.requests] == ['user-token'] * 2
    assert fake_glance.service_tokens == ['service-token'] * 2


def test_no_service_token_by_default(fake_glance, tmp_path):  # noqa: F811
    conf = _conf(tmp_path, '[service_user]\n'
                           'auth_type = admin_token\n'
                           'endpoint = http://127.0.0.1:9/identity\n'
                           'token = service-token\n')
    _fetch(fake_glance, conf)
    assert fake_glance.service_tokens == [None]


def test_enabled_without_auth_is_a_clear_error(tmp_path):
    conf = _conf(tmp_path, '[service_user]\n'
                           'send_service_user_token = true\n')
    with pytest.raises(exception.ServiceUserNotConfigured) as info:
        glance.GlanceClient(_Ctx(), endpoint='http://127.0.0.1:9/v2',
                            conf=conf)
    assert 'auth_type' in str(info.value)
