"""The standalone command: starts, answers, keeps its state, stops cleanly."""
import requests

from cyborg.tests.functional.standalone.conftest import StandaloneProcess

PROFILE = [{'name': 'kept', 'groups': [{'resources:FPGA': '1'}]}]


def test_state_survives_restart_and_ctrl_c_stops_cleanly(tmp_path):
    first = StandaloneProcess(tmp_path / 'state').start()
    resp = requests.post(first.url + '/v2/device_profiles', json=PROFILE)
    if resp.status_code != 201:
        first.stop()
        raise AssertionError('%s\n%s' % (resp.text, first.output))
    assert first.stop() == 0
    assert 'API at %s' % first.url in first.output
    assert 'stopped' in first.output
    assert 'Traceback' not in first.output

    second = StandaloneProcess(tmp_path / 'state').start()
    try:
        names = [p['name'] for p in requests.get(
            second.url + '/v2/device_profiles').json()['device_profiles']]
        assert names == ['kept']
    finally:
        assert second.stop() == 0
