"""The API under real WSGI servers, loaded the ways operators load it.

uWSGI (master, 2 processes x 1 thread) with ``module =
cyborg.wsgi.api:application`` and ``pyargv = --config-file X``; gunicorn
(2 workers) with the configuration named by ``OS_CYBORG_CONFIG_FILES``;
both module paths (``cyborg.wsgi.api`` and ``cyborg.api.wsgi``). Each runs
the gabbi serving story and openstacksdk. mod_wsgi's way (look the
callable up in the module's dictionary) is checked in a fresh interpreter.
"""
import json
import subprocess
import sys
import time

import pytest
import requests

from cyborg.tests.functional.serving import servers
from cyborg.tests.functional.serving import stories

MODULES = ['cyborg.wsgi.api:application', 'cyborg.api.wsgi:application']


@pytest.fixture
def deployment(tmp_path):
    dep = servers.Deployment(tmp_path)
    yield dep
    dep.stop()


@pytest.mark.parametrize('module', MODULES)
def test_uwsgi_serves_the_api(deployment, module):
    deployment.start_uwsgi(module)
    assert len(deployment.pids()) == 2
    assert not stories.run_gabbi(deployment.url)
    assert stories.run_sdk(deployment.url) == 'Initial'
    assert deployment.stop() == 0


@pytest.mark.parametrize('module', MODULES)
def test_gunicorn_serves_the_api(deployment, module):
    deployment.start_gunicorn(module)
    assert len(deployment.pids()) == 2
    assert not stories.run_gabbi(deployment.url)
    assert stories.run_sdk(deployment.url) == 'Initial'
    assert deployment.stop() == 0


_MOD_WSGI = '''
import importlib, json, sys
sys.argv = ['mod_wsgi', '--config-file', sys.argv[1]]
module = importlib.import_module(sys.argv.pop(0) and '%s')
application = module.__dict__['application']
responses = []
def start_response(status, headers, exc_info=None):
    responses.append(status)
environ = {'REQUEST_METHOD': 'GET', 'PATH_INFO': '/', 'SERVER_NAME': 'x',
           'SERVER_PORT': '80', 'wsgi.url_scheme': 'http',
           'wsgi.input': __import__('io').BytesIO(), 'SCRIPT_NAME': '',
           'HTTP_HOST': 'x', 'wsgi.errors': sys.stderr}
body = b''.join(application(environ, start_response))
print(json.dumps({'status': responses[0], 'body': json.loads(body),
                  'eventlet': 'eventlet' in sys.modules}))
'''


@pytest.mark.parametrize('module', ['cyborg.wsgi.api', 'cyborg.api.wsgi'])
def test_mod_wsgi_finds_the_callable_in_the_module_dict(tmp_path, module):
    dep = servers.Deployment(tmp_path)
    out = subprocess.run(
        [sys.executable, '-c', _MOD_WSGI % module, str(dep.conf)],
        capture_output=True, text=True, timeout=60, cwd=str(tmp_path))
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout.strip().splitlines()[-1])
    assert answer['status'].startswith('200')
    assert answer['body']['versions'][0]['id'] == 'v2'
    assert answer['eventlet'] is False


def test_uwsgi_ends_a_stalled_body_with_the_apis_400(deployment):
    """A client that sends 4 of the 100 body bytes it announced and then
    waits: uWSGI's read times out (``socket-timeout``, 4 s by default),
    the application answers 400 in the contract's shape, and nothing is
    stored. (``cyborg-api`` has no such limit: production.rst.)"""
    from cyborg.tests.functional.api import test_unreadable_bodies as ub
    deployment.start_uwsgi()
    head = ub._headers('POST', '/v2/device_profiles',
                       ['%s: %s' % kv for kv in servers.HEADERS.items()]
                       + ['Content-Length: 100'])
    started = time.monotonic()
    status, body = deployment.raw(head, b'[{"n')
    waited = time.monotonic() - started
    assert status == 400, body[:300]
    fault = json.loads(json.loads(body)['error_message'])
    assert fault['faultstring'].startswith(
        'The request body could not be read'), fault
    assert 3.5 < waited < 15, waited
    listed = requests.get(deployment.url + '/v2/device_profiles',
                          headers=servers.HEADERS, timeout=10)
    assert listed.status_code == 200 and listed.json() == {
        'device_profiles': []}
