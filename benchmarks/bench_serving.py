"""Benchmark: the API served by uWSGI, gunicorn and cyborg-api.

Each server runs with 2 workers (uWSGI 2 processes x 1 thread, gunicorn 2
sync workers, cyborg-api ``api_workers = 2``) on a loopback port, serving
three applications: cyborg (noauth, SQLite file at head), a bare Pecan app
and a bare WSGI callable (``benchmarks.serving_apps``). For each, requests
per second of ``GET /``, ``GET /v2/accelerator_requests/{uuid}`` and
``POST /v2/accelerator_requests`` (a one-group profile) at concurrency 1
and 8 (client threads, a new connection per request: uWSGI's http-socket
closes every connection). uWSGI and cyborg-api also serve cyborg with each
worker pinned to one CPU (``-pinned``), and cyborg-api with one thread
per worker (``-2x1``, the shape of the uWSGI run). Every server writes
one line per request to a log file, as deployed (uWSGI's request log,
gunicorn's access log, cyborg-api's ``cyborg.api.access``). Each cell is
the median of 5 rounds over all the servers (see :func:`measure`), after
a short untimed warm-up. Beside requests per second, each cell shows the
CPU time the server's processes spent per request (from ``/proc``), which
this kind of machine's noise moves less. Ratios against the baselines of
the same run::

    python -m benchmarks.bench_serving [--seconds S] [--rounds N] [--profile]
    python -m benchmarks.bench_serving --inside [--seconds S] [--rounds N]

``--profile`` also runs the cyborg application in-process under cProfile
for the ARQ GET and POST and prints the top entries. ``--inside`` instead
splits each request's cost under uWSGI and cyborg-api between the server
and the application (``benchmarks.serving_probe``): the time spent inside
the application, wall and CPU, and the garbage collector's runs, beside
the server's whole CPU time per request. It is what showed that every
request left a reference cycle (``cyborg.api.environ_cleanup``).
"""
import argparse
import collections
import cProfile
import http.client
import json
import os
import pathlib
import pstats
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time

import requests

from cyborg.tests.functional.serving import servers

REPO = str(pathlib.Path(__file__).resolve().parent.parent)
HEADERS = {'X-User-Id': 'bench', 'X-Project-Id': 'bench-project',
           'X-Roles': 'admin,manager,member,reader',
           'Content-Type': 'application/json', 'Accept': 'application/json',
           'Connection': 'close'}
APPS = {'cyborg': 'cyborg.wsgi.api:application',
        'probe': 'benchmarks.serving_probe:application',
        'pecan': 'benchmarks.serving_apps:pecan_app',
        'bare': 'benchmarks.serving_apps:bare'}


def start(server, app, tmp):
    """``server`` is uwsgi, gunicorn or cyborg-api; ``-pinned``: each
    worker on one CPU (uWSGI ``--cpu-affinity 1``, cyborg-api ``[api]
    worker_cpu_affinity``); ``cyborg-api-2x1``: one thread per worker
    (``[api] worker_threads = 1``), the shape of the uWSGI run."""
    pinned = server.endswith('-pinned')
    one_thread = server.endswith('-2x1')
    server = server.rsplit('-', 1)[0] if pinned or one_thread else server
    api = {'api_workers': '2'}
    if pinned:
        api['worker_cpu_affinity'] = 'True'
    if one_thread:
        api['worker_threads'] = '1'
    # every server writes one line per request to a file, as deployed:
    # uWSGI's request log (its default), gunicorn's access log, cyborg-api's
    # cyborg.api.access lines in its log file
    dep = servers.Deployment(tmp, api=api)
    env = {'PYTHONPATH': REPO}
    if app == 'probe':          # cyborg, timed inside (serving_probe)
        env['CYBORG_PROBE_DIR'] = str(tmp)
    if server == 'uwsgi':
        if app == 'probe':      # the module builds the app under uWSGI
            env['CYBORG_PROBE_UWSGI'] = '1'
        dep._spawn([servers.tool('uwsgi'), '--master', '--processes', '2',
                    '--threads', '1', '--http-socket',
                    '127.0.0.1:%d' % dep.port, '--module', APPS[app],
                    '--pyargv', '--config-file %s' % dep.conf,
                    '--add-header', 'Connection: close',
                    '--logto', str(tmp / 'uwsgi.log'),
                    *(['--cpu-affinity', '1'] if pinned else []),
                    '--die-on-term', '--need-app', '--chdir', REPO], env=env)
    elif server == 'gunicorn':
        dep._spawn([servers.tool('gunicorn'), '--workers', '2', '--bind',
                    '127.0.0.1:%d' % dep.port, '--chdir', REPO,
                    '--access-logfile', str(tmp / 'gunicorn-access.log'),
                    APPS[app]],
                   env=dict(env, OS_CYBORG_CONFIG_FILES=str(dep.conf)))
    elif app == 'probe':
        dep._spawn([sys.executable, '-m', 'benchmarks.serving_probe',
                    '--config-file', str(dep.conf)], env=env)
    else:
        dep._spawn([sys.executable, '-m', 'benchmarks.serving_apps', app,
                    '--config-file', str(dep.conf)], env=env)
    return dep.wait_ready()


def one(port, method, path, body):
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=30)
    conn.connect()
    # as urllib3 (requests, openstacksdk) does: no Nagle delay between the
    # headers and the body of a POST
    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    conn.request(method, path, body=body, headers=HEADERS)
    resp = conn.getresponse()
    resp.read()
    conn.close()
    return resp.status


def run(port, method, path, body, concurrency, seconds):
    """(requests answered, seconds taken) by ``concurrency`` client
    threads sending the request for ``seconds``."""
    counts, errors, stop = [0] * concurrency, [], threading.Event()

    def loop(i):
        while not stop.is_set():
            status = one(port, method, path, body)
            if status >= 300:
                errors.append(status)
            counts[i] += 1

    threads = [threading.Thread(target=loop, args=(i,))
               for i in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    return sum(counts), time.perf_counter() - started


def server_cpu(pid):
    """CPU seconds (user + system) used so far by ``pid`` and its
    descendants that are alive (the server's master and workers)."""
    children, times = collections.defaultdict(list), {}
    tick = os.sysconf('SC_CLK_TCK')
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % entry) as f:
                fields = f.read().rsplit(')', 1)[1].split()
        except OSError:                 # a process that just ended
            continue
        children[int(fields[1])].append(int(entry))
        times[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += times.get(current, 0.0)
        todo += children.get(current, [])
    return total


def arq_fixture(url):
    name = 'bench-%s' % os.urandom(3).hex()
    requests.post(url + '/v2/device_profiles', headers=HEADERS, timeout=10,
                  json=[{'name': name, 'groups': [{'resources:FPGA': '1'}]}]
                  ).raise_for_status()
    resp = requests.post(url + '/v2/accelerator_requests', headers=HEADERS,
                         timeout=10, json={'device_profile_name': name})
    resp.raise_for_status()
    return name, resp.json()['arqs'][0]['uuid']


RUNS = [(server, app) for server in ('uwsgi', 'gunicorn', 'cyborg-api')
        for app in ('bare', 'pecan', 'cyborg')]
RUNS += [('uwsgi-pinned', 'cyborg'), ('cyborg-api-pinned', 'cyborg'),
         ('cyborg-api-2x1', 'cyborg')]
LABELS = ('GET /', 'GET arq', 'POST arq')
WARM_UP = 0.3    # seconds of untimed requests before each request's cells


def measure(seconds, rounds):
    """Requests per second, and the server's CPU microseconds per request
    (:func:`server_cpu`), of every (server, app, request, concurrency).

    One server runs at a time. The whole list is gone through ``rounds``
    times, each server started afresh and each of its cells measured for
    ``seconds / rounds``; the median is reported, so that the machine's
    drift over the run falls on every server alike rather than on
    whichever ran last.
    """
    samples = collections.defaultdict(list)
    for _round in range(rounds):
        for server, app in RUNS:
            for label, c, rate, cpu, _request in _cells(
                    server, app, seconds / rounds):
                samples[server, app, label, c].append((rate, cpu))
    ordered = sorted(samples.items(), key=lambda kv: _order(kv[0]))
    return ({key: statistics.median(v[0] for v in values)
             for key, values in ordered},
            {key: statistics.median(v[1] for v in values)
             for key, values in ordered})


def _cells(server, app, seconds, before_cell=None):
    """Start ``server`` serving ``app`` afresh and measure each of its
    cells for ``seconds``, after an untimed warm-up of each request; yield
    (label, concurrency, req/s, server CPU us per request, the request's
    (method, path)). ``before_cell(tmp, label, c)``, ``tmp`` the server's
    temporary folder, runs before each cell's clock starts; the server
    stops when the last cell is measured."""
    tmp = pathlib.Path(tempfile.mkdtemp(prefix='bench-serving-'))
    dep = start(server, app, tmp)
    try:
        for label, method, path, body in _cases(dep.url, app):
            # warm every worker (its threads, connections and statement
            # caches) before the clock starts
            run(dep.port, method, path, body, 8, WARM_UP)
            for c in (1, 8):
                if before_cell is not None:
                    before_cell(tmp, label, c)
                cpu = server_cpu(dep.proc.pid)
                count, elapsed = run(dep.port, method, path, body, c,
                                     seconds)
                cpu = server_cpu(dep.proc.pid) - cpu
                yield (label, c, count / elapsed, cpu / count * 1e6,
                       (method, path))
    finally:
        dep.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def _cases(url, app):
    """(label, method, path, body) of the requests measured on ``app``."""
    cases = [('GET /', 'GET', '/', None)]
    if app not in ('cyborg', 'probe'):     # probe: cyborg, timed inside
        return cases
    name, uuid = arq_fixture(url)
    return cases + [
        ('GET arq', 'GET', '/v2/accelerator_requests/' + uuid, None),
        ('POST arq', 'POST', '/v2/accelerator_requests',
         json.dumps({'device_profile_name': name}))]


def inside(seconds, rounds):
    """Time inside the cyborg application (``serving_probe``) under uWSGI
    and cyborg-api, beside the server's whole CPU time per request: what
    is the application's and what is the server's."""
    from benchmarks import serving_probe

    def new_phase(tmp, label, c):
        serving_probe.PROBE_DIR = str(tmp)
        (tmp / 'phase').write_text('%s %d' % (label, c))
        time.sleep(0.05)

    samples = collections.defaultdict(list)
    for _round in range(rounds):
        for server in ('uwsgi', 'cyborg-api'):
            for label, c, rate, cpu, (method, path) in _cells(
                    server, 'probe', seconds / rounds, new_phase):
                time.sleep(0.2)                # the workers' last writes
                found = serving_probe.read(serving_probe.kind(
                    {'REQUEST_METHOD': method, 'PATH_INFO': path}))
                samples[server, label, c].append((rate, cpu) + found[1:])
    print('%-10s %-9s %3s %8s %10s %10s %10s %9s %9s' % (
        'server', 'request', 'c', 'req/s', 'server CPU', 'app wall',
        'app CPU', 'GC/1000', 'GC us'))
    for (server, label, c), values in sorted(
            samples.items(), key=lambda kv: (LABELS.index(kv[0][1]),
                                             kv[0][2], kv[0][0])):
        medians = [statistics.median(v[i] for v in values)
                   for i in range(6)]
        print('%-10s %-9s %3d %8.0f %10.0f %10.0f %10.0f %9.1f %9.1f' % (
            (server, label, c) + tuple(medians)))
    print('(us per request; server CPU: all its processes, from /proc; app: '
          'inside the application; GC: collector runs per 1000 requests '
          'and their time per request)')


def _order(key):
    server, app, label, c = key
    return RUNS.index((server, app)), LABELS.index(label), c


def table(results, cpu):
    """``results``: req/s of each cell; ``cpu``: the server processes'
    CPU time per request (us), steadier than req/s on a noisy machine."""
    print('%-17s %-7s %-9s %3s %9s %12s' % (
        'server', 'app', 'request', 'c', 'req/s', 'CPU us/req'))
    for key, value in results.items():
        server, app, label, c = key
        print('%-17s %-7s %-9s %3d %9.1f %12.0f' % (
            server, app, label, c, value, cpu[key]))
    print()

    def r(a, b):
        return results[a] / results[b]

    for c in (1, 8):
        for server in ('uwsgi', 'gunicorn', 'cyborg-api'):
            print('c=%d %-10s cyborg GET / vs bare pecan: %.2f (target '
                  '>= 0.8); vs bare WSGI: %.2f' % (
                      c, server,
                      r((server, 'cyborg', 'GET /', c),
                        (server, 'pecan', 'GET /', c)),
                      r((server, 'cyborg', 'GET /', c),
                        (server, 'bare', 'GET /', c))))
        for label in LABELS:
            for ours, theirs in (('cyborg-api', 'uwsgi'),
                                 ('cyborg-api-2x1', 'uwsgi'),
                                 ('cyborg-api-pinned', 'uwsgi'),
                                 ('cyborg-api-pinned', 'uwsgi-pinned')):
                print('c=%d %s vs %s, %-8s: %.2f (target >= 0.8)' % (
                    c, ours, theirs, label,
                    r((ours, 'cyborg', label, c),
                      (theirs, 'cyborg', label, c))))
    print('uWSGI c=1 GET arq / GET /: %.2f (target >= 0.5)' % r(
        ('uwsgi', 'cyborg', 'GET arq', 1), ('uwsgi', 'cyborg', 'GET /', 1)))
    print('uWSGI c=1 POST arq / GET /: %.2f (target >= 0.3)' % r(
        ('uwsgi', 'cyborg', 'POST arq', 1), ('uwsgi', 'cyborg', 'GET /', 1)))


def profile(count=300, top=20):
    """cProfile of the in-process application: ARQ GET and POST, on the
    service's own engine (a SQLite file configured from [database], as
    the servers above use it), not the tests' fixture engine."""
    import webob

    from cyborg.conf import CONF
    from cyborg.db import session
    from cyborg.tests.fixtures import database
    from cyborg.tests.fixtures import services
    from cyborg.tests.functional.api import gabbi_fixtures
    gabbi_fixtures.init_conf()        # oslo.policy needs a parsed CONF
    tmp = tempfile.mkdtemp(prefix='bench-serving-profile-')
    path = os.path.join(tmp, 'cyborg.sqlite')
    shutil.copyfile(database.template_path(), path)
    CONF.set_override('connection', 'sqlite:///' + path, 'database')
    CONF.set_override('transport_url', 'fake://')
    session.configure()
    try:
        app = services.api_app()

        def call(method, path, body=None):
            req = webob.Request.blank(path, method=method, headers=HEADERS)
            if body is not None:
                req.body = json.dumps(body).encode()
            resp = req.get_response(app)
            assert resp.status_int < 300, resp.text[:200]
            return resp

        call('POST', '/v2/device_profiles',
             [{'name': 'p', 'groups': [{'resources:FPGA': '1'}]}])
        uuid = call('POST', '/v2/accelerator_requests',
                    {'device_profile_name': 'p'}).json['arqs'][0]['uuid']
        for label, fn in (
                ('GET arq', lambda: call(
                    'GET', '/v2/accelerator_requests/' + uuid)),
                ('POST arq', lambda: call(
                    'POST', '/v2/accelerator_requests',
                    {'device_profile_name': 'p'}))):
            fn()                      # warm caches before measuring
            prof = cProfile.Profile()
            prof.enable()
            for _ in range(count):
                fn()
            prof.disable()
            print('--- profile: %s x %d (top %d by own time)' % (
                label, count, top))
            pstats.Stats(prof).sort_stats('tottime').print_stats(top)
    finally:
        session.get_engine().dispose()
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seconds', type=float, default=10.0,
                        help='seconds per cell, over all rounds')
    parser.add_argument('--rounds', type=int, default=5,
                        help='times the whole list is gone through; each '
                             'cell is the median')
    parser.add_argument('--profile', action='store_true')
    parser.add_argument('--inside', action='store_true',
                        help='only the time inside the application under '
                             'uWSGI and cyborg-api (serving_probe)')
    args = parser.parse_args()
    if args.inside:
        inside(args.seconds, args.rounds)
        return
    table(*measure(args.seconds, args.rounds))
    if args.profile:
        profile()


if __name__ == '__main__':
    main()
