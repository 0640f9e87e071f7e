"""Real server processes for the serving tests.

``Deployment`` writes a cyborg.conf (noauth, fake transport, a SQLite file
at schema head) in a temporary directory; ``start_*`` run uWSGI, gunicorn
or ``cyborg-api`` on a free loopback port in a new session (the launchers
signal their process group) and wait until ``GET /`` answers.
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import requests

from cyborg.tests.fixtures import database

BIN = os.path.dirname(sys.executable)
#: noauth identity of the deployments' requests (an admin)
HEADERS = {'X-Roles': 'admin', 'X-User-Id': 'admin',
           'X-Project-Id': 'admin'}


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def tool(name):
    """Path of a console script installed beside this interpreter."""
    path = os.path.join(BIN, name)
    return path if os.path.exists(path) else shutil.which(name)


def exchange(port, head, payload=b'', half_close=False):
    """Send a request as bytes (``head``: its lines, each ending in CRLF)
    to ``port`` on loopback and read the answer up to its Content-Length;
    (status, or None when the connection closed without an answer, body
    bytes). ``half_close`` ends our side, so that a body cut short ends for
    the server too."""
    with socket.create_connection(('127.0.0.1', port), timeout=20) as sock:
        sock.sendall(head.encode('latin-1') + b'\r\n' + payload)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        data = b''
        while not _complete(data):
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            data += chunk
    if not data:
        return None, b''
    head_bytes, _sep, body = data.partition(b'\r\n\r\n')
    return int(head_bytes.split(b' ', 2)[1]), body


def _complete(data):
    head, sep, payload = data.partition(b'\r\n\r\n')
    if not sep:
        return False
    for line in head.split(b'\r\n')[1:]:
        name, _c, value = line.partition(b':')
        if name.strip().lower() == b'content-length':
            return len(payload) >= int(value)
    return False


class Deployment:
    def __init__(self, tmp_path, **options):
        self.tmp = tmp_path
        self.db_path = str(tmp_path / 'cyborg.sqlite')
        shutil.copyfile(database.template_path(), self.db_path)
        self.port = free_port()
        self.conf = tmp_path / 'cyborg.conf'
        self.log = tmp_path / 'server.log'
        self.proc = None
        self.scheme = 'http'
        self.write_conf(**options)

    def write_conf(self, debug=False, api=None, ssl=None, database=None,
                   default=None, extra=None):
        groups = {
            'DEFAULT': dict({'transport_url': 'fake://',
                             'debug': str(debug),
                             'log_file': str(self.log),
                             'graceful_shutdown_timeout': '20'},
                            **(default or {})),
            'api': dict({'auth_strategy': 'noauth', 'host_ip': '127.0.0.1',
                         'port': str(self.port), 'api_workers': '2'},
                        **(api or {})),
            'database': dict({'connection': 'sqlite:///' + self.db_path},
                             **(database or {})),
        }
        if ssl:
            groups['ssl'] = ssl
        groups.update(extra or {})
        lines = []
        for group, values in groups.items():
            lines.append('[%s]' % group)
            lines += ['%s = %s' % kv for kv in values.items()]
        self.conf.write_text('\n'.join(lines) + '\n')

    @property
    def url(self):
        return '%s://127.0.0.1:%d' % (self.scheme, self.port)

    def _spawn(self, cmd, env=None):
        out = open(self.tmp / 'stdout.log', 'ab')
        self.proc = subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, cwd=str(self.tmp),
            env=dict(os.environ, **(env or {})), start_new_session=True)
        return self

    def output(self):
        text = ''
        for name in ('stdout.log', 'server.log'):
            path = self.tmp / name
            if path.exists():
                text += path.read_text(errors='replace')
        return text

    def wait_ready(self, timeout=60, verify=True):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError('server exited %s:\n%s'
                                     % (self.proc.returncode, self.output()))
            try:
                if requests.get(self.url + '/', timeout=2,
                                verify=verify).status_code == 200:
                    return self
            except requests.RequestException:
                time.sleep(0.2)
        self.stop()
        raise AssertionError('no answer in %ss:\n%s'
                             % (timeout, self.output()))

    def start_cyborg_api(self, **wait):
        self._spawn([tool('cyborg-api'), '--config-file', str(self.conf)])
        return self.wait_ready(**wait)

    def start_uwsgi(self, module='cyborg.wsgi.api:application'):
        self._spawn([tool('uwsgi'), '--master', '--processes', '2',
                     '--threads', '1', '--http-socket',
                     '127.0.0.1:%d' % self.port, '--module', module,
                     '--pyargv', '--config-file %s' % self.conf,
                     # uWSGI's http-socket closes every connection after
                     # one response; say so, or clients reuse it.
                     '--add-header', 'Connection: close',
                     '--die-on-term', '--need-app'])
        return self.wait_ready()

    def start_gunicorn(self, module='cyborg.wsgi.api:application'):
        self._spawn([tool('gunicorn'), '--workers', '2',
                     '--bind', '127.0.0.1:%d' % self.port, module],
                    env={'OS_CYBORG_CONFIG_FILES': str(self.conf)})
        return self.wait_ready()

    def raw(self, head, payload, half_close=False):
        """:func:`exchange` with this deployment's server."""
        return exchange(self.port, head, payload, half_close)

    def pids(self):
        """The worker processes: children of the server process."""
        out = subprocess.run(['pgrep', '-P', str(self.proc.pid)],
                             capture_output=True, text=True).stdout
        return sorted(int(p) for p in out.split())

    def send(self, sig):
        self.proc.send_signal(sig)

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        return self.proc.returncode
