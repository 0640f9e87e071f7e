#!/usr/bin/env python3
"""Regenerate the upstream Cyborg 17.0.0 database dumps used by the
upgrade test (cyborg/tests/functional/upgrade/).

For each backend (MariaDB/MySQL, PostgreSQL) this

1. installs ``openstack-cyborg==17.0.0`` from PyPI into a virtual
   environment of its own (``--venv``, created when missing);
2. creates a throwaway database (PostgreSQL: a schema) on the test server;
3. runs upstream's ``cyborg-dbsync upgrade`` (upstream's migrations make
   the schema);
4. fills it through upstream's code (``upstream_populate.py``);
5. dumps it with ``mysqldump`` / ``pg_dump`` into
   ``cyborg/tests/fixtures/upgrade/upstream-17.0.0-<backend>.sql`` and
   writes ``upstream-17.0.0-manifest-<backend>.json`` (providers, agent
   reports, ARQs by state), then drops the database.

The versions installed are recorded in ``upstream-17.0.0-venv.txt`` there
and used as constraints by the next run.

On PostgreSQL upstream 17.0.0 cannot build its schema (see
upstream_create_schema.py); the dump's header says which route made it.

Usage (servers as in CI, see tools/ci/)::

    python3 tools/upgrade/make_upstream_dump.py [--venv DIR]
        [--mysql URL] [--postgresql URL] [--only mysql|postgresql]

URLs are SQLAlchemy URLs of a user allowed to create databases; the
defaults are the CI servers. Only the standard library is needed here; the
dump tools ``mysqldump`` and ``pg_dump`` must be on PATH.
"""
import argparse
import os
import re
import secrets
import subprocess
import sys
import tempfile
from urllib import parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(ROOT, 'cyborg', 'tests', 'fixtures', 'upgrade')
UPSTREAM = 'openstack-cyborg==17.0.0'
# The drivers upstream's dbsync and our loader use; not pinned by upstream.
EXTRA = ('PyMySQL', 'psycopg2-binary')
# In the PostgreSQL dump every name is qualified by this schema; the test
# swaps it for its throwaway schema.
PG_SCHEMA = 'cyborg_upstream17'
DEFAULTS = {
    'mysql': 'mysql+pymysql://cyborg:cyborg@127.0.0.1/cyborg_test',
    'postgresql': 'postgresql+psycopg2://cyborg:cyborg@127.0.0.1/'
                  'cyborg_test',
}


def run(cmd, **kwargs):
    print('+', ' '.join(cmd), flush=True)
    return subprocess.run(cmd, check=True, **kwargs)


def ensure_venv(venv):
    """The upstream environment. The versions of the last generation
    (``upstream-17.0.0-venv.txt``, written here) are used as constraints,
    so a regeneration runs the same code."""
    python = os.path.join(venv, 'bin', 'python')
    if not os.path.exists(python):
        run([sys.executable, '-m', 'venv', venv])
    pins = os.path.join(OUT, 'upstream-17.0.0-venv.txt')
    constraints = ['-c', pins] if os.path.exists(pins) else []
    run([python, '-m', 'pip', 'install', '-q', UPSTREAM, *EXTRA,
         *constraints])
    frozen = run([python, '-m', 'pip', 'freeze', '--all'],
                 capture_output=True, text=True).stdout
    with open(pins, 'w') as f:
        f.write('# pip freeze of the environment that made the dumps '
                '(tools/upgrade/make_upstream_dump.py)\n')
        for line in frozen.splitlines():
            if line.lower().startswith('openstack-cyborg'):
                line = UPSTREAM      # not where it came from
            if line and not line.startswith(('pip==', 'setuptools==')):
                f.write(line + '\n')
    return python


def parts(url):
    u = parse.urlsplit(url)
    return {'user': parse.unquote(u.username or ''),
            'password': parse.unquote(u.password or ''),
            'host': u.hostname or '127.0.0.1',
            'port': str(u.port or ''),
            'database': u.path.lstrip('/'),
            'scheme': u.scheme}


def admin_sql(python, url, statement):
    """Run one statement on the server with upstream's SQLAlchemy."""
    code = ('import sys, sqlalchemy as sa\n'
            'e = sa.create_engine(sys.argv[1], isolation_level="AUTOCOMMIT")\n'
            'with e.connect() as c: c.execute(sa.text(sys.argv[2]))\n')
    run([python, '-c', code, url, statement])


def database_url(backend, server, name):
    if backend == 'mysql':
        base = server.rsplit('/', 1)[0]
        return f'{base}/{name}'
    sep = '&' if '?' in server else '?'
    return f'{server}{sep}options=-csearch_path%3D{name}'


def make_schema(python, venv, conf, recreate):
    """Upstream's schema: its migrations (``cyborg-dbsync upgrade``). On
    PostgreSQL they cannot run (see upstream_create_schema.py): the route
    is upstream's ``create_schema`` with the one missing enum name filled
    in. Returns the route taken, for the dump's header."""
    dbsync = os.path.join(venv, 'bin', 'cyborg-dbsync')
    proc = subprocess.run([dbsync, '--config-file', conf, 'upgrade'],
                          capture_output=True, text=True)
    if proc.returncode == 0:
        return 'cyborg-dbsync upgrade (upstream migrations)'
    if 'PostgreSQL Enum type requires a name' not in proc.stderr + \
            proc.stdout:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit('upstream cyborg-dbsync upgrade failed')
    print('upstream migration 6c77bd6afea5 fails on PostgreSQL (unnamed '
          'Enum); using upstream create_schema', flush=True)
    recreate()
    run([python, os.path.join(HERE, 'upstream_create_schema.py'), conf])
    return ('cyborg-dbsync create_schema (upstream models, ARQ state enum '
            'named "state" as in upstream migration ede4e3f1a232; upstream '
            'migration 6c77bd6afea5 fails on PostgreSQL: unnamed Enum)')


def populate(python, venv, url, manifest, workdir, recreate):
    conf = os.path.join(workdir, 'cyborg.conf')
    with open(conf, 'w') as f:
        f.write('[DEFAULT]\ntransport_url = fake://\n'
                f'[database]\nconnection = {url}\n')
    route = make_schema(python, venv, conf, recreate)
    run([python, os.path.join(HERE, 'upstream_populate.py'), conf, manifest])
    return route


def dump_mysql(server, name):
    p = parts(server)
    cmd = ['mysqldump', '-h', p['host'], '-u', p['user'], '--skip-comments',
           '--skip-dump-date', '--skip-extended-insert', '--no-tablespaces',
           '--skip-lock-tables', name]
    if p['port']:
        cmd[1:1] = ['-P', p['port']]
    env = dict(os.environ, MYSQL_PWD=p['password'])
    text = run(cmd, env=env, capture_output=True, text=True).stdout
    # MariaDB's dump tool writes a client-only sandbox marker first.
    return ''.join(line for line in text.splitlines(True)
                   if not line.startswith('/*M!999999'))


def dump_postgresql(server, name):
    p = parts(server)
    cmd = ['pg_dump', '-h', p['host'], '-U', p['user'], '--schema', name,
           '--no-owner', '--no-privileges', '--inserts', p['database']]
    if p['port']:
        cmd[1:1] = ['-p', p['port']]
    env = dict(os.environ, PGPASSWORD=p['password'])
    text = run(cmd, env=env, capture_output=True, text=True).stdout
    kept = []
    for line in text.splitlines(True):
        # psql meta-commands and the schema itself: the loader makes it.
        if line.startswith('\\') or line.startswith('CREATE SCHEMA') or \
                line.startswith('--'):
            continue
        kept.append(line)
    return re.sub(r'\b%s\.' % re.escape(name), PG_SCHEMA + '.',
                  ''.join(kept))


def generate(backend, server, python, venv):
    name = f'cyborg_up17_{secrets.token_hex(4)}'
    kind = 'DATABASE' if backend == 'mysql' else 'SCHEMA'
    drop = f'DROP {kind} IF EXISTS {name}' + (
        ' CASCADE' if backend == 'postgresql' else '')

    def recreate():
        admin_sql(python, server, drop)
        admin_sql(python, server, f'CREATE {kind} {name}')

    admin_sql(python, server, f'CREATE {kind} {name}')
    try:
        with tempfile.TemporaryDirectory() as workdir:
            manifest = os.path.join(
                OUT, f'upstream-17.0.0-manifest-{backend}.json')
            route = populate(python, venv,
                             database_url(backend, server, name),
                             manifest, workdir, recreate)
        dump = (dump_mysql if backend == 'mysql' else dump_postgresql)(
            server, name)
    finally:
        admin_sql(python, server, drop)
    header = (f'-- {UPSTREAM} database ({backend}).\n'
              f'-- Schema: upstream {route}.\n'
              f'-- Rows: upstream code (tools/upgrade/upstream_populate.py).'
              f'\n-- Regenerate: tools/upgrade/make_upstream_dump.py\n')
    path = os.path.join(OUT, f'upstream-17.0.0-{backend}.sql')
    with open(path, 'w') as f:
        f.write(header + dump)
    print('wrote', path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--venv', default=os.path.join(
        tempfile.gettempdir(), 'cyborg-upstream-17.0.0-venv'))
    parser.add_argument('--mysql', default=DEFAULTS['mysql'])
    parser.add_argument('--postgresql', default=DEFAULTS['postgresql'])
    parser.add_argument('--only', choices=sorted(DEFAULTS))
    args = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)
    python = ensure_venv(args.venv)
    for backend in sorted(DEFAULTS):
        if args.only in (None, backend):
            generate(backend, getattr(args, backend), python, args.venv)


if __name__ == '__main__':
    main()
