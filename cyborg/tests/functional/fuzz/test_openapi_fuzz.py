"""Schemathesis against a live ``cyborg-standalone`` process, driven by
the published ``api-ref/openapi.yaml`` (issue 12, item 5).

Every operation gets requests that fit the document (positive) and
requests that break it (negative). Checks on every response: no 5xx
(except the three 500s the upstream Tempest plugin asserts, decisions.md
Q3/Q4, which the document lists), a documented status code, content type
and body schema; at the end, no ARQ in a transitional state and no
attach handle held without a ``Bound`` ARQ (``standalone/invariants.py``).

Bounded for CI: ``CYBORG_FUZZ_EXAMPLES`` examples per operation and mode
(default 10) with the fixed seed ``CYBORG_FUZZ_SEED``; ``tox -e fuzz``
runs the long version and sums it up in ``CYBORG_FUZZ_REPORT``.
"""
import json
import os
import pathlib

import hypothesis
from hypothesis import HealthCheck
import pytest
import schemathesis
from schemathesis import checks as st_checks
from schemathesis import GenerationMode
import yaml

from cyborg.tests.functional.standalone import conftest as standalone
from cyborg.tests.functional.standalone import invariants

DOCUMENT = pathlib.Path(__file__).parents[4] / 'api-ref' / 'openapi.yaml'
EXAMPLES = int(os.environ.get('CYBORG_FUZZ_EXAMPLES', '10'))
SEED = int(os.environ.get('CYBORG_FUZZ_SEED', '20261204'))
REPORT = os.environ.get('CYBORG_FUZZ_REPORT')   # where to sum up a run
SCHEMA = schemathesis.openapi.from_path(str(DOCUMENT))
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
_RAW = yaml.safe_load(DOCUMENT.read_text())


def _breakable(op):
    """Negative cases need a query parameter or a body to break (a path
    parameter is any non-empty string)."""
    raw = _RAW['paths'][op.path][op.method.lower()]
    return 'requestBody' in raw or any(
        p['in'] == 'query' for p in raw.get('parameters', ()))


CASES = [(op, mode) for op in OPERATIONS
         for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
         if mode == GenerationMode.POSITIVE or _breakable(op)]
CHECKS = [st_checks.status_code_conformance,
          st_checks.content_type_conformance,
          st_checks.response_schema_conformance]
# The asserted 500s (decisions.md Q3/Q4): device-profile create only.
TEMPEST_500S = ('DeviceProfile name needed.',
                'DeviceProfile name is longer than 255 characters and '
                'cannot be stored.')
TEMPEST_500_PREFIX = 'DeviceProfile with uuid '


@pytest.fixture(scope='module')
def service(tmp_path_factory):
    proc = standalone.StandaloneProcess(
        tmp_path_factory.mktemp('fuzz') / 'state').start()
    standalone.wait_for_provider(proc.url)
    yield proc
    try:
        # Item 4's invariants after everything the fuzzer did.
        invariants.check(proc.state_dir)
    finally:
        proc.stop()
    assert 'Traceback' not in proc.output, proc.output[-4000:]


def _allowed_500(operation, response):
    if operation.label != 'POST /v2/device_profiles':
        return False
    try:
        inner = json.loads(response.json()['error_message'])
    except (ValueError, KeyError, TypeError):
        return False
    text = inner.get('faultstring', '')
    return text in TEMPEST_500S or (text.startswith(TEMPEST_500_PREFIX)
                                    and text.endswith(' already exists.'))


@pytest.mark.parametrize('operation, mode', CASES, ids=[
    '%s-%s' % (op.label, mode.value) for op, mode in CASES])
def test_operation(service, operation, mode):
    counts = {'sent': 0, 'statuses': {}}

    @hypothesis.seed(SEED)
    @hypothesis.settings(max_examples=EXAMPLES, deadline=None,
                         database=None, print_blob=True,
                         suppress_health_check=list(HealthCheck))
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        response = case.call(base_url=service.url, timeout=30)
        counts['sent'] += 1
        statuses = counts['statuses']
        statuses[response.status_code] = statuses.get(
            response.status_code, 0) + 1
        if response.status_code >= 500:
            assert _allowed_500(operation, response), (
                case.as_curl_command(), response.status_code,
                response.text[:2000])
        case.validate_response(response, checks=CHECKS)

    run()
    assert counts['sent'] > 0
    if REPORT:          # one JSON line per operation and mode
        with open(REPORT, 'a', encoding='utf-8') as f:
            f.write(json.dumps({'operation': operation.label,
                                'mode': mode.value, 'sent': counts['sent'],
                                'statuses': counts['statuses']}) + '\n')
