"""Where a served request's time goes: inside the application or in the
server (``bench_serving --inside``).

The cyborg application is wrapped in a probe that adds up, per worker
process and per kind of request, the wall time and the thread's CPU time
spent inside the application, and the garbage collector's runs and time
(``gc.callbacks``) in the process. Every few requests each worker writes
its sums to ``<CYBORG_PROBE_DIR>/<pid>.json``; the sums start again when the
file ``<CYBORG_PROBE_DIR>/phase`` changes (the driver touches it before
each measured cell).

Under uWSGI: ``--module benchmarks.serving_probe:application`` with
``CYBORG_PROBE_DIR`` and ``CYBORG_PROBE_UWSGI`` set; as cyborg-api:
``python -m benchmarks.serving_probe --config-file F``.
"""
import collections
import gc
import json
import os
import sys
import threading
import time

PROBE_DIR = os.environ.get('CYBORG_PROBE_DIR', '')
WRITE_EVERY = 20          # requests between two writes of a worker's sums

_sums = collections.defaultdict(lambda: [0, 0.0, 0.0])
_gc = {'runs': 0, 'seconds': 0.0, 'started': 0.0}
_state = {'phase': None, 'served': 0}
_lock = threading.Lock()      # cyborg-api runs requests in threads


def _on_gc(phase, _info):
    if phase == 'start':
        _gc['started'] = time.perf_counter()
    else:
        _gc['runs'] += 1
        _gc['seconds'] += time.perf_counter() - _gc['started']


def _check_phase():
    try:
        phase = os.stat(os.path.join(PROBE_DIR, 'phase')).st_mtime_ns
    except OSError:
        phase = None
    if phase != _state['phase']:
        _state['phase'] = phase
        _sums.clear()
        _gc.update(runs=0, seconds=0.0)


def _write():
    path = os.path.join(PROBE_DIR, '%d.json' % os.getpid())
    with open(path + '.tmp', 'w') as f:
        json.dump({'requests': _sums, 'gc': [_gc['runs'], _gc['seconds']]},
                  f)
    os.replace(path + '.tmp', path)


def kind(environ):
    path = environ.get('PATH_INFO', '')
    if path.startswith('/v2/accelerator_requests/'):
        return environ['REQUEST_METHOD'] + ' arq'
    return environ['REQUEST_METHOD'] + ' ' + path


def wrap(app):
    gc.callbacks.append(_on_gc)

    def probed(environ, start_response):
        with _lock:
            _check_phase()
        label = kind(environ)
        wall, cpu = time.perf_counter(), time.thread_time()
        result = app(environ, start_response)
        body = b''.join(result)
        close = getattr(result, 'close', None)
        if close is not None:
            close()
        wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
        with _lock:
            sums = _sums[label]
            sums[0] += 1
            sums[1] += wall
            sums[2] += cpu
            _state['served'] += 1
            if _state['served'] % WRITE_EVERY == 0:
                _write()
        return [body]

    return probed


def read(label):
    """Sums over the workers for ``label``: (requests, in-application wall
    us and CPU us per request, GC runs per 1000 requests, GC us per
    request)."""
    requests = wall = cpu = runs = seconds = 0
    for name in os.listdir(PROBE_DIR):
        if not name.endswith('.json'):
            continue
        with open(os.path.join(PROBE_DIR, name)) as f:
            data = json.load(f)
        count, w, c = data['requests'].get(label, (0, 0.0, 0.0))
        requests, wall, cpu = requests + count, wall + w, cpu + c
        runs, seconds = runs + data['gc'][0], seconds + data['gc'][1]
    if not requests:
        return None
    return (requests, wall / requests * 1e6, cpu / requests * 1e6,
            runs * 1000 / requests, seconds * 1e6 / requests)


if os.environ.get('CYBORG_PROBE_UWSGI'):
    from cyborg.wsgi import api as _api  # built under uWSGI
    application = wrap(_api.application)


def main(argv):
    from cyborg.api import app as api_app
    from cyborg.cmd import api

    build = api_app.setup_app
    api_app.setup_app = lambda *a, **kw: wrap(build(*a, **kw))
    return api.main(argv)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
