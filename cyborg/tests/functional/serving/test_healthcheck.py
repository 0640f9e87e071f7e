"""``/healthcheck`` on a real cyborg-api: unauthenticated (keystone auth
on, no token), 200 while the database answers, 503 when it cannot be
reached; the path is configurable and can be turned off."""
import requests

from cyborg.tests.functional.serving import servers


def _start(tmp_path, **conf):
    dep = servers.Deployment(tmp_path, **conf)
    dep.start_cyborg_api()
    return dep


def test_healthy_without_a_token(tmp_path):
    dep = _start(tmp_path, api={'auth_strategy': 'keystone',
                                'api_workers': '1'},
                 extra={'keystone_authtoken': {
                     'www_authenticate_uri': 'http://127.0.0.1:9/identity',
                     'auth_type': 'password',
                     'auth_url': 'http://127.0.0.1:9/identity'}})
    try:
        assert requests.get(dep.url + '/v2/device_profiles',
                            timeout=10).status_code == 401
        resp = requests.get(dep.url + '/healthcheck', timeout=10)
        assert resp.status_code == 200, resp.text
        assert 'database OK' in resp.text
        resp = requests.get(dep.url + '/healthcheck', timeout=10,
                            headers={'Accept': 'application/json'})
        assert resp.json()['reasons'] == ['database OK']
    finally:
        assert dep.stop() == 0


def test_database_down_is_503(tmp_path):
    closed = servers.free_port()      # nothing listens there
    dep = _start(tmp_path, api={'api_workers': '1'}, database={
        'connection': 'mysql+pymysql://cyborg:cyborg@127.0.0.1:%d/cyborg_x'
                      % closed, 'max_retries': '0'})
    try:
        resp = requests.get(dep.url + '/healthcheck', timeout=20)
        assert resp.status_code == 503, resp.text
        assert 'database unreachable' in resp.text
        assert requests.get(dep.url + '/', timeout=10).status_code == 200
    finally:
        assert dep.stop() == 0


def test_path_is_configurable(tmp_path):
    dep = _start(tmp_path, api={'api_workers': '1',
                                'healthcheck_path': '/status/health'})
    try:
        assert requests.get(dep.url + '/status/health',
                            timeout=10).status_code == 200
        # the old path is the API's now: not a route
        assert requests.get(dep.url + '/healthcheck',
                            timeout=10).status_code == 404
    finally:
        assert dep.stop() == 0
