"""A whole deployment in real processes, for the scale and fault test.

:class:`Deployment` builds on the cluster tests' :class:`harness.Processes`
(one config file: RabbitMQ with its own control exchange, the throwaway
database, the recording Nova, short heartbeats) and adds:

* the API under uWSGI (master, 2 worker processes of 1 thread, a listen
  queue long enough for a bind storm);
* ``cyborg-agent`` processes (the real console entry point, fake driver),
  each with its own ``[DEFAULT] host`` and compute-node provider;
* SIGKILL of a whole conductor (the launcher's master and its child at
  once, as a machine that loses power).

:class:`Glance` serves FPGA images (bitstreams) on loopback after a
delay, so a programming bind stays in flight long enough to be caught by
a conductor's death. :class:`StampedNova` is the recording Nova that also
notes when each event arrived.
"""
import http.server
import json
import os
import re
import signal
import subprocess
import threading
import time

from cyborg.tests.fixtures import nova
from cyborg.tests.functional.cluster import harness
from cyborg.tests.functional.serving import servers as serving

_AGENT = ('import sys; from cyborg.cmd import agent as m; '
          'sys.exit(m.main(sys.argv[1:]))')


class Deployment(harness.Processes):
    """:param placement: a ``PlacementFixture(real_server=True)``;
    :param lines: more config lines (after the harness's)."""

    def __init__(self, tmp_path, db_url, fake_nova, placement, lines=(),
                 heartbeat_timeout=3):
        extra = ['[placement]', 'auth_type = admin_token',
                 'endpoint = %s' % placement.endpoint,
                 'endpoint_override = %s' % placement.endpoint,
                 'token = %s' % placement.token]
        super().__init__(tmp_path, db_url, fake_nova,
                         heartbeat_timeout=heartbeat_timeout,
                         extra=extra + list(lines))

    def agent_process(self, host):
        """``cyborg-agent`` serving compute node ``host`` (not waited
        for: the caller waits for the reports)."""
        name = 'agent-%s' % host
        self.spawn(name, ['-c', _AGENT], host)
        return name

    def wsgi_api(self, workers=2):
        """The API under uWSGI (``workers`` processes, 1 thread each);
        waits until it answers."""
        log = open(self.tmp / 'api.log', 'a')
        cmd = [serving.tool('uwsgi'), '--master',
               '--processes', str(workers), '--threads', '1',
               '--http-socket', '127.0.0.1:%d' % self.port,
               '--listen', '1024',
               '--module', 'cyborg.wsgi.api:application',
               '--pyargv', '--config-file %s' % self.conf,
               '--add-header', 'Connection: close',
               '--disable-logging', '--die-on-term', '--need-app']
        self.procs['api'] = subprocess.Popen(
            cmd, stdout=log, stderr=subprocess.STDOUT,
            env=dict(os.environ, **self.environ), start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.procs['api'].poll() is None, self.log('api')
            try:
                if self.http('GET', '/', timeout=2).status_code == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError('API not ready: %s' % self.log('api'))

    def crash(self, name):
        """SIGKILL the launcher master ``name`` and its children at once;
        returns the time of the kill."""
        proc = self.procs.pop(name)
        children = subprocess.run(['pgrep', '-P', str(proc.pid)],
                                  capture_output=True, text=True).stdout
        for pid in [proc.pid] + [int(p) for p in children.split()]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        killed_at = time.monotonic()
        proc.wait(30)
        return killed_at

    def stop(self):
        """SIGTERM every process at once, then wait (SIGKILL after
        ``STOP_TIMEOUT``): two dozen graceful stops one after the other
        would take minutes."""
        procs, self.procs = dict(self.procs), {}
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + harness.processes.STOP_TIMEOUT
        for name, proc in procs.items():
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                if name == 'api':
                    os.killpg(proc.pid, signal.SIGKILL)
                else:
                    proc.kill()
                proc.wait()
        self.engine.dispose()


class _GlanceHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        glance = self.server.glance
        match = re.fullmatch(r'/v2/images/([0-9a-f-]{36})(/file)?', self.path)
        if not match or match.group(1) not in glance.images:
            self._reply(404, b'{}')
            return
        if match.group(2):
            with glance.lock:
                glance.downloads += 1
            time.sleep(glance.delay)
            self._reply(200, glance.images[match.group(1)],
                        'application/octet-stream')
        else:
            self._reply(200, json.dumps({'id': match.group(1)}).encode())

    def _reply(self, status, data, ctype='application/json'):
        self.send_response(status)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class Glance:
    """Image downloads on loopback, each answered after ``delay`` s."""

    def __init__(self, images, delay=0.0):
        self.images = dict(images)
        self.delay = delay
        self.downloads = 0
        self.lock = threading.Lock()
        self._server = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                       _GlanceHandler)
        self._server.daemon_threads = True
        self._server.glance = self
        self.url = 'http://127.0.0.1:%d' % self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True,
                         kwargs={'poll_interval': 0.05}).start()

    def conf_lines(self):
        return ['[glance]', 'endpoint_override = %s' % self.url]

    def close(self):
        self._server.shutdown()
        self._server.server_close()


class StampedNova(nova.FakeNova):
    """The recording Nova; ``arrivals[arq uuid]`` lists the monotonic
    times at which an event for that ARQ arrived."""

    def __init__(self):
        super().__init__()
        self.arrivals = {}

    def answer(self, path, body, mode):
        now = time.monotonic()
        if isinstance(body, dict):
            with self.lock:
                for event in body.get('events') or ():
                    self.arrivals.setdefault(event.get('tag'),
                                             []).append(now)
        return super().answer(path, body, mode)
