"""Several writer processes on one SQLite file (the embedded default, and
what uWSGI or cyborg-api workers share) under steady load: every ARQ
create commits, however many times it loses the race for the file's write
lock to the other process (a stale WAL snapshot cannot wait its way out;
the transaction is re-run). Real processes, real file, service sessions.
"""
import os
import shutil
import subprocess
import sys
import time

import sqlalchemy as sa

from cyborg.tests.fixtures import database

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))))
CREATES = 150

_CHILD = r'''
import os, sys, time
from cyborg.conf import CONF
CONF([], project='cyborg', default_config_files=[])
CONF.set_override('connection', 'sqlite:///' + sys.argv[1], 'database')
from cyborg import context
from cyborg.db.queries import arqs, device_profiles
ctx = context.RequestContext(user_id='u', project_id='p', is_admin=True)
profile = device_profiles.get_by_name(ctx, 'shared')
go = sys.argv[2]
while not os.path.exists(go):
    time.sleep(0.01)
done = 0
for _ in range(int(sys.argv[3])):
    arqs.create(ctx, profile, [0])
    done += 1
print('created', done)
'''


def test_two_processes_creating_arqs_all_commit(tmp_path):
    path = str(tmp_path / 'cyborg.sqlite')
    shutil.copyfile(database.template_path(), path)
    engine = database.sqlite_engine(path)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO device_profiles (uuid, name, profile_json, "
                "created_at) VALUES ('0f6c8a0e-5a7b-4c1e-9f0e-1d2c3b4a5f60',"
                " 'shared', '{\"groups\": [{\"resources:FPGA\": \"1\"}]}',"
                " CURRENT_TIMESTAMP)"))
    finally:
        engine.dispose()
    go = str(tmp_path / 'go')
    env = dict(os.environ, PYTHONPATH=REPO)
    procs = [subprocess.Popen(
        [sys.executable, '-c', _CHILD, path, go, str(CREATES)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for _ in range(2)]
    time.sleep(0.5)
    open(go, 'w').close()
    outputs = [p.communicate(timeout=120) for p in procs]
    for proc, (out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err[-3000:]
        assert out.strip() == 'created %d' % CREATES, (out, err[-2000:])
    engine = database.sqlite_engine(path)
    try:
        with engine.connect() as conn:
            count = conn.scalar(sa.text(
                'SELECT count(*) FROM extended_accelerator_requests'))
    finally:
        engine.dispose()
    assert count == 2 * CREATES
