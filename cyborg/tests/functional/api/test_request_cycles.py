"""No request through the whole application leaves a reference cycle.

WebOb and Pecan keep the request in its own environ; without
``cyborg.api.environ_cleanup`` every request left 15 to 25 objects that
only the garbage collector frees, which made it run every few dozen
requests (about half of the application's time per request under
cyborg-api; ``benchmarks/bench_serving``). Each kind of request below, on
its success and its error paths, is made with the collector saving what
it finds: nothing of a request (WebOb's or Pecan's objects, the environ's
parsed query) may be among it.
"""
import gc

import pytest

from cyborg.tests.fixtures import database
from cyborg.tests.fixtures import services
from cyborg.tests.functional.bind import env

A = '/v2/accelerator_requests'


@pytest.fixture(scope='module')
def api():
    env.init_conf()
    with database.Database(), services.Conductor():
        app = services.api_app()
        try:
            yield lambda *args: env.api_call(app, *args)
        finally:
            env.clear_api_conf()


def _request_garbage(call, times=5):
    """Objects of a request (WebOb's, Pecan's, the API's request class)
    that ``times`` calls left for the garbage collector; other threads'
    garbage is not counted."""
    call()                       # caches warmed outside the count
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for _ in range(times):
            call()
        gc.collect()
        found = [obj for obj in gc.garbage
                 if type(obj).__module__.split('.')[0] in ('webob', 'pecan')
                 or type(obj).__module__ == 'cyborg.api.app']
    finally:
        gc.set_debug(0)
        del gc.garbage[:]
    return sorted({type(obj).__module__ + '.' + type(obj).__name__
                   for obj in found})


def test_requests_leave_no_cycle(api):
    resp = api('POST', '/v2/device_profiles',
               [{'name': 'cycles', 'groups': [{'resources:FPGA': '1'}]}])
    assert resp.status_int == 201, resp.text
    resp = api('POST', A, {'device_profile_name': 'cycles'})
    assert resp.status_int == 201, resp.text
    uuid = resp.json['arqs'][0]['uuid']
    calls = {
        'GET /': ('GET', '/'),
        'GET one ARQ': ('GET', A + '/' + uuid),
        'GET ARQs with a query': ('GET', A + '?instance=x'),
        'POST an ARQ': ('POST', A, {'device_profile_name': 'cycles'}),
        'GET of a missing profile (404)': ('GET', '/v2/device_profiles/'
                                           + '0' * 32),
        'POST of a bad body (400)': ('POST', A, {'device_profile_name': 1}),
        'HEAD (405)': ('HEAD', '/'),
    }
    left = {label: _request_garbage(lambda args=args: api(*args))
            for label, args in calls.items()}
    assert left == {label: [] for label in calls}
