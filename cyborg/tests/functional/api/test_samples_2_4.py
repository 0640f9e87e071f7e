"""The 2.4 sample of the API reference is what the service answers."""
import json
import pathlib

import pytest

from cyborg.tests.functional.api import dp_arq_client
from cyborg.tests.functional.api import gabbi_fixtures

SAMPLES = pathlib.Path(__file__).resolve().parents[4] / 'api-ref' / 'source' \
    / 'samples'


@pytest.fixture
def api():
    service = dp_arq_client.Service(shared_conductor=True)
    client = service.start()
    try:
        for fixture in (gabbi_fixtures.InventoryFixture(),
                        gabbi_fixtures.SampleArqsFixture(),
                        gabbi_fixtures.FailedArqFixture()):
            fixture.start_fixture()
        yield client
    finally:
        service.stop()


def test_arq_list_page_sample(api):
    sample = json.loads((SAMPLES / 'arq-list-response-2.4.json').read_text())
    resp = api.request(
        'GET', '/v2/accelerator_requests?device_profile_name=fpga-gzip-x1'
        '&limit=2&marker=74373ce2-c212-477d-9ec9-e4ba200d7b75',
        headers={'OpenStack-API-Version': 'accelerator 2.4'})
    assert resp.status_code == 200
    body = resp.json()
    for arq in body['arqs'] + sample['arqs']:
        assert arq.pop('created_at').endswith('+00:00')
    assert body == sample
