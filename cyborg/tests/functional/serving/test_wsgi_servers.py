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

import pytest

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
