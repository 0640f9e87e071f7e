"""cyborg-status upgrade check against real SQLite databases."""
import json
import subprocess
import sys

import sqlalchemy as sa

from cyborg.db import migration


def _check(tmp_path, url):
    conf = tmp_path / 'cyborg.conf'
    conf.write_text('[database]\nconnection = %s\n' % url)
    proc = subprocess.run(
        [sys.executable, '-m', 'cyborg.cmd.status', '--config-file',
         str(conf), 'upgrade', 'check', '--json'],
        capture_output=True, text=True, timeout=120)
    out = proc.stdout[proc.stdout.index('{'):]
    return proc.returncode, {c['check']: c for c in
                             json.loads(out)['checks']}


def test_up_to_date_database_passes(tmp_path):
    url = 'sqlite:///%s' % (tmp_path / 'ok.sqlite')
    migration.upgrade('head', url=url)
    code, checks = _check(tmp_path, url)
    assert code == 0, checks
    assert checks['Database schema at head']['result'] == 0
    assert checks['Device state backfill']['result'] == 0


def test_unmigrated_database_fails(tmp_path):
    url = 'sqlite:///%s' % (tmp_path / 'empty.sqlite')
    sa.create_engine(url).connect().close()
    code, checks = _check(tmp_path, url)
    assert code == 2
    assert checks['Database schema at head']['result'] == 2
    assert 'cyborg-dbsync upgrade' in \
        checks['Database schema at head']['details']
