"""``cyborg-api`` as operators run it: real processes, real signals.

Two workers both serve (each is frozen in turn while the other answers);
HTTPS with a generated CA (openstacksdk verifies with the CA file); a
missing certificate is a clear error at start; SIGTERM lets a slow request
finish; SIGHUP during traffic loses no request and turns on debug logging;
``[api] worker_threads`` bounds the requests a worker runs at once, and
idle keep-alive connections do not stop a worker from accepting.
"""
import http.client
import json
import signal
import socket
import threading
import time

import pytest
import requests

from cyborg.common import access_log
from cyborg.tests.functional.serving import certs
from cyborg.tests.functional.serving import servers
from cyborg.tests.functional.serving import stories

HEADERS = servers.HEADERS


@pytest.fixture
def deployment(tmp_path):
    dep = servers.Deployment(tmp_path)
    yield dep
    dep.stop()


def _access_pids(dep, since=0):
    """Worker pid of each access-log line after byte ``since``."""
    text = dep.log.read_text()[since:]
    return [int(line.split()[2]) for line in text.splitlines()
            if ' cyborg.api.access ' in line]


def _freeze(pid, timeout=10):
    """SIGSTOP ``pid`` and wait until every thread of it has stopped.

    kill() returns once the signal is pending: one thread takes it and
    then stops the others, so on a busy machine another thread (the one
    accepting connections) can run on for a while and take the next one.
    """
    servers.os.kill(pid, signal.SIGSTOP)
    deadline = time.monotonic() + timeout
    task = '/proc/%d/task' % pid
    while time.monotonic() < deadline:
        states = []
        for tid in servers.os.listdir(task):
            try:
                with open('%s/%s/stat' % (task, tid)) as f:
                    states.append(f.read().rsplit(')', 1)[1].split()[0])
            except FileNotFoundError:   # a thread that just ended
                continue
        if states and all(state in ('T', 't') for state in states):
            return
        time.sleep(0.01)
    raise AssertionError('worker %d did not stop' % pid)


def _get(url, **kw):
    # a new connection per request: the test controls which worker runs
    return requests.get(url, headers=dict(HEADERS, Connection='close'),
                        timeout=10, **kw)


def test_two_workers_both_serve_and_run_the_story(deployment):
    deployment.start_cyborg_api()
    workers = deployment.pids()
    assert len(workers) == 2, workers
    assert not stories.run_gabbi(deployment.url)
    assert stories.run_sdk(deployment.url) == 'Initial'
    for frozen, serving in (workers, workers[::-1]):
        # the lines of the earlier requests are all written (each worker
        # writes its queued lines every access_log.WRITE_INTERVAL)
        deployment_log = _quiet_log_size(deployment)
        _freeze(frozen)
        try:
            for _ in range(4):
                assert _get(deployment.url + '/v2/device_profiles').ok
        finally:
            servers.os.kill(frozen, signal.SIGCONT)
        # access lines are written by a thread of the worker, shortly
        # after the answer: wait for the four
        deadline = time.monotonic() + 10
        while (len(_access_pids(deployment, deployment_log)) < 4
               and time.monotonic() < deadline):
            time.sleep(0.05)
        assert _access_pids(deployment, deployment_log) == [serving] * 4
    assert deployment.stop() == 0


def _quiet_log_size(deployment, timeout=10):
    """The size of the log once it has stopped growing for three access
    log write intervals."""
    quiet = 3 * access_log.WRITE_INTERVAL
    deadline = time.monotonic() + timeout
    size, since = len(deployment.log.read_text()), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(access_log.WRITE_INTERVAL / 2)
        now = len(deployment.log.read_text())
        if now != size:
            size, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return size
    raise AssertionError('the log kept growing for %d s' % timeout)


def _allowed_cpus(pid):
    """The CPUs each thread of ``pid`` may run on."""
    found = set()
    for tid in servers.os.listdir('/proc/%d/task' % pid):
        try:
            with open('/proc/%d/task/%s/status' % (pid, tid)) as f:
                for line in f:
                    if line.startswith('Cpus_allowed_list:'):
                        found.add(line.split(':', 1)[1].strip())
        except FileNotFoundError:    # a thread that just ended
            continue
    return found


def test_worker_cpu_affinity_pins_every_thread_of_a_worker(tmp_path):
    cpus = sorted(servers.os.sched_getaffinity(0))
    dep = servers.Deployment(tmp_path, api={'worker_cpu_affinity': 'True'})
    try:
        dep.start_cyborg_api()
        for _ in range(4):
            assert _get(dep.url + '/v2/device_profiles').ok
        workers = dep.pids()
        assert len(workers) == 2
        pinned = [_allowed_cpus(pid) for pid in workers]
        # every thread of a worker (granian's, the application's, the
        # access log's) on one CPU; the two workers on the first two
        expected = {str(cpus[0]), str(cpus[1 % len(cpus)])}
        assert all(len(p) == 1 for p in pinned), pinned
        assert {p.pop() for p in pinned} == expected
        if len(cpus) > 1:                  # the master is not pinned
            master = _allowed_cpus(dep.proc.pid)
            assert master.isdisjoint({str(c) for c in cpus}), master
    finally:
        assert dep.stop() == 0
    log = dep.log.read_text()
    assert 'Worker 1 pinned to CPU %d' % cpus[0] in log
    assert 'Worker 2 pinned to CPU %d' % cpus[1 % len(cpus)] in log


def test_https_with_the_ca_file(tmp_path):
    files = certs.make(tmp_path)
    dep = servers.Deployment(
        tmp_path, api={'enable_ssl_api': 'True', 'api_workers': '1'},
        ssl={'cert_file': files['cert'], 'key_file': files['key']})
    dep.scheme = 'https'
    try:
        dep.start_cyborg_api(verify=files['ca'])
        assert stories.run_sdk(dep.url, cacert=files['ca']) == 'Initial'
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(dep.url + '/', timeout=5)    # system CAs only
        with pytest.raises(requests.ConnectionError):
            requests.get('http://127.0.0.1:%d/' % dep.port, timeout=5)
    finally:
        assert dep.stop() == 0


def test_missing_certificate_is_a_clear_error_at_start(tmp_path):
    missing = str(tmp_path / 'nope.pem')
    dep = servers.Deployment(
        tmp_path, api={'enable_ssl_api': 'True'},
        ssl={'cert_file': missing, 'key_file': missing})
    dep._spawn([servers.tool('cyborg-api'), '--config-file', str(dep.conf)])
    assert dep.proc.wait(30) == 1
    assert '[ssl] cert_file %s does not exist' % missing in dep.output()


def test_key_not_in_pkcs8_is_a_clear_error_at_start(tmp_path):
    """granian reads PKCS#8 keys only: a traditional ("BEGIN EC PRIVATE
    KEY") key of the right pair is refused at start, with the command
    that converts it."""
    from cryptography.hazmat.primitives import serialization
    files = certs.make(tmp_path)
    with open(files['key'], 'rb') as f:
        key = serialization.load_pem_private_key(f.read(), None)
    traditional = tmp_path / 'traditional.key'
    traditional.write_bytes(key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption()))
    dep = servers.Deployment(
        tmp_path, api={'enable_ssl_api': 'True'},
        ssl={'cert_file': files['cert'], 'key_file': str(traditional)})
    dep._spawn([servers.tool('cyborg-api'), '--config-file', str(dep.conf)])
    assert dep.proc.wait(30) == 1
    out = dep.output()
    assert 'must be an unencrypted PKCS#8 key' in out, out[-2000:]
    assert 'openssl pkcs8 -topk8 -nocrypt -in %s' % traditional in out


def test_port_in_use_is_a_clear_error_at_start(tmp_path):
    dep = servers.Deployment(tmp_path)
    with socket.socket() as taken:
        taken.bind(('127.0.0.1', dep.port))
        taken.listen()
        dep._spawn([servers.tool('cyborg-api'), '--config-file',
                    str(dep.conf)])
        assert dep.proc.wait(30) == 1
    out = dep.output()
    assert ('cyborg-api cannot listen on 127.0.0.1:%d: Address already in '
            'use' % dep.port) in out, out[-2000:]
    assert 'Traceback' not in out and 'Configuration allows' not in out


def _slow_post(port, body, first_part):
    sock = socket.create_connection(('127.0.0.1', port), timeout=30)
    head = ('POST /v2/device_profiles HTTP/1.1\r\nHost: 127.0.0.1\r\n'
            'Content-Type: application/json\r\nX-Roles: admin\r\n'
            'Content-Length: %d\r\nConnection: close\r\n\r\n' % len(body))
    sock.sendall(head.encode() + body[:first_part])
    return sock


def _read_response(sock):
    data = b''
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk


def test_sigterm_lets_a_slow_request_finish(deployment):
    deployment.start_cyborg_api()
    body = json.dumps([{'name': 'slow', 'groups': [
        {'resources:FPGA': '1'}]}]).encode()
    sock = _slow_post(deployment.port, body, 10)
    time.sleep(1)                       # the request is being read
    deployment.send(signal.SIGTERM)
    time.sleep(1.5)                     # draining, not gone
    assert deployment.proc.poll() is None
    sock.sendall(body[10:])
    response = _read_response(sock)
    sock.close()
    assert response.startswith(b'HTTP/1.1 201'), response
    assert deployment.proc.wait(30) == 0
    with pytest.raises(requests.ConnectionError):
        requests.get(deployment.url + '/', timeout=2)


def test_sighup_during_traffic_loses_nothing_and_reloads_debug(deployment):
    deployment.start_cyborg_api()
    before = deployment.pids()
    assert ' DEBUG ' not in deployment.log.read_text()
    results, stop = [], threading.Event()

    def traffic():
        while not stop.is_set():
            try:
                results.append(_get(deployment.url + '/v2/device_profiles')
                               .status_code)
            except requests.RequestException as exc:
                results.append(repr(exc))

    threads = [threading.Thread(target=traffic) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        time.sleep(1)
        deployment.write_conf(debug=True)
        deployment.send(signal.SIGHUP)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if len(_debug_pids(deployment) & set(before)) == 2:
                break
            time.sleep(0.2)
        time.sleep(1)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    # the options changed in place: same workers, none restarted
    assert deployment.pids() == before
    failures = [r for r in results if r != 200]
    assert results and not failures, failures[:5]
    assert _debug_pids(deployment) >= set(before), deployment.output()[-3000:]


def _debug_pids(deployment):
    return {int(line.split()[2])
            for line in deployment.log.read_text().splitlines()
            if ' DEBUG ' in line}


def test_broken_framing_stores_nothing(deployment):
    """granian de-chunks bodies itself and hands the application a cut
    chunked body as if it were whole, so cyborg-api refuses chunked
    bodies (411, contract shape, INFO line), with a Content-Length beside
    or not; a malformed, negative or repeated Content-Length is granian's
    own 400. None of them stores anything."""
    from cyborg.tests.functional.api import test_unreadable_bodies as ub
    deployment.start_cyborg_api()
    auth = ['%s: %s' % item for item in HEADERS.items()]
    doc = json.dumps([{'name': 'cut', 'groups': [
        {'resources:FPGA': '1'}]}]).encode()
    whole_chunk = b'%x\r\n%s\r\n' % (len(doc), doc)
    chunked = ['Transfer-Encoding: chunked']
    refused = 'cyborg-api needs the Content-Length'
    for extra, payload, half_close, statuses, fault in (
            # a bad chunk size after a whole document
            (chunked, whole_chunk + b'-5\r\nhello\r\n0\r\n\r\n', False,
             {411}, refused),
            # well formed: refused all the same
            (chunked, whole_chunk + b'0\r\n\r\n', False, {411}, refused),
            # cut before the last chunk, the client gone: whether granian
            # still writes the answer to a half-closed connection varies
            (chunked, whole_chunk, True, {411, None}, refused),
            # both framings at once (a request-smuggling vector): refused
            (['Content-Length: %d' % len(doc)] + chunked,
             whole_chunk + b'0\r\n\r\n', False, {411}, refused),
            (['Content-Length: abc'], doc, False, {400}, None),
            (['Content-Length: -5'], doc, False, {400}, None),
            # two lengths that disagree
            (['Content-Length: %d' % len(doc),
              'Content-Length: %d' % (len(doc) + 1)], doc + b' ', False,
             {400}, None)):
        got, body = deployment.raw(ub._headers(
            'POST', '/v2/device_profiles', auth + extra), payload,
            half_close)
        assert got in statuses, (extra, payload, got, body)
        if got is None:
            continue
        if fault is None:
            assert body == b''          # granian's, before the application
            continue
        inner = json.loads(json.loads(body)['error_message'])
        assert inner['faultcode'] == 'Client'
        assert inner['faultstring'].startswith(fault), inner
    listed = requests.get(deployment.url + '/v2/device_profiles',
                          headers=HEADERS, timeout=10).json()
    assert listed['device_profiles'] == []
    created = requests.post(deployment.url + '/v2/device_profiles',
                            headers=dict(HEADERS, **{'Content-Type':
                                                     'application/json'}),
                            data=doc, timeout=10)
    assert created.status_code == 201, created.text
    assert deployment.stop() == 0
    log = deployment.log.read_text()
    lines = [line for line in log.splitlines() if refused in line]
    assert len(lines) == 4 and all(' INFO ' in line for line in lines), lines
    assert 'Traceback' not in log


def _one_worker_two_threads(tmp_path):
    dep = servers.Deployment(tmp_path, api={'api_workers': '1',
                                            'worker_threads': '2'})
    return dep.start_cyborg_api()


def _get_on(conn):
    """The status of ``GET /`` sent on the kept-alive ``conn``."""
    conn.request('GET', '/', headers=HEADERS)
    response = conn.getresponse()
    response.read()
    return response.status


def test_worker_threads_bound_the_requests_a_worker_runs(tmp_path):
    """One worker with 2 threads: two requests whose bodies are still
    coming hold both; a third waits until one of them ends."""
    dep = _one_worker_two_threads(tmp_path)
    try:
        bodies = [json.dumps([{'name': 'held-%d' % i, 'groups': [
            {'resources:FPGA': '1'}]}]).encode() for i in range(2)]
        held = [_slow_post(dep.port, body, 10) for body in bodies]
        time.sleep(1)                   # both are being read
        third = {}

        def get():
            third['response'] = requests.get(
                dep.url + '/', headers=dict(HEADERS, Connection='close'),
                timeout=30)
            third['at'] = time.monotonic()

        waiter = threading.Thread(target=get)
        waiter.start()
        waiter.join(2)
        assert waiter.is_alive(), 'a third request ran beside the two'
        released = time.monotonic()
        held[0].sendall(bodies[0][10:])
        assert _read_response(held[0]).startswith(b'HTTP/1.1 201')
        waiter.join(30)
        assert third['response'].status_code == 200
        assert third['at'] >= released
        held[1].sendall(bodies[1][10:])
        assert _read_response(held[1]).startswith(b'HTTP/1.1 201')
        for sock in held:
            sock.close()
    finally:
        assert dep.stop() == 0


def test_idle_keep_alive_connections_do_not_stop_a_worker(tmp_path):
    """One worker with 2 threads and 3 clients keeping their connections
    open between requests (as keystoneauth sessions do): a fourth client
    is still served, and so are the idle ones' next requests."""
    dep = _one_worker_two_threads(tmp_path)
    try:
        idle = []
        for _ in range(3):
            conn = http.client.HTTPConnection('127.0.0.1', dep.port,
                                              timeout=10)
            assert _get_on(conn) == 200
            idle.append(conn)
        assert _get(dep.url + '/v2/device_profiles').ok
        for conn in idle:
            assert _get_on(conn) == 200
            conn.close()
    finally:
        assert dep.stop() == 0
