"""``cyborg-manage placement audit`` as a real process on a standalone
state directory (``--state-dir``): exit statuses, both formats, --fix,
and the progress line that only a terminal gets."""
import json
import os
import pty
import shutil
import subprocess
import sys

import sqlalchemy as sa

from cyborg import context
from cyborg import placement_embedded
from cyborg.clients import placement as placement_client
from cyborg.conductor.inventory import report as inventory
from cyborg.db import models
from cyborg.db import session
from cyborg.tests.fixtures import database
from cyborg.tests.fixtures import placement as placement_fixture
from cyborg.tests.functional.inventory import conftest as inv

_RUN = ('import sys; from cyborg.cmd import manage; '
        'sys.exit(manage.main(sys.argv[1:]))')


def _standalone_state(state_dir):
    """What ``cyborg-standalone --state-dir`` leaves behind after an agent
    reported two GPUs: both SQLite files, in sync."""
    db_path = os.path.join(state_dir, 'cyborg.sqlite')
    shutil.copyfile(database.template_path(), db_path)
    engine = database.sqlite_engine(db_path)
    undo = session.use_engine(engine)
    try:
        with placement_embedded.start(state_dir, port=0) as embedded:
            client = placement_client.PlacementClient(
                adapter=embedded.adapter())
            client.ensure_compute_node(inv.HOST)
            inventory.report_data(
                context.get_admin_context(), inv.HOST,
                [inv.gpu_device(i) for i in range(2)], client=client)
    finally:
        undo()
    return engine


def _manage(tmp_path, *args, tty=False):
    conf = tmp_path / 'empty.conf'
    conf.write_text('')
    cmd = [sys.executable, '-c', _RUN, '--config-file', str(conf),
           'placement', 'audit'] + list(args)
    if not tty:
        proc = subprocess.run(cmd, capture_output=True, text=True,
                              timeout=120)
        return proc.returncode, proc.stdout, proc.stderr
    master, slave = pty.openpty()
    proc = subprocess.Popen(cmd, stdout=slave, stderr=subprocess.PIPE)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:      # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    proc.wait(timeout=120)
    return (proc.returncode, b''.join(chunks).decode(),
            proc.stderr.read().decode())


def test_state_dir_audit_exit_statuses_and_progress(tmp_path):
    state = str(tmp_path / 'state')
    os.makedirs(state)
    engine = _standalone_state(state)

    rc, out, err = _manage(tmp_path, '--state-dir', state, '--format',
                           'json')
    assert rc == 0, err
    body = json.loads(out)                 # no progress: not a terminal
    assert body['in_sync'] and body['deployables'] == 2
    assert body['placement_calls'] == 3 + 3 * 2

    with engine.begin() as conn:           # a device disabled behind
        conn.execute(sa.update(models.Device).values(  # Placement's back
            status='maintaining'))
    rc, out, err = _manage(tmp_path, '--state-dir', state)
    assert rc == 1, err
    lines = out.splitlines()
    assert lines[0].split()[:3] == ['KIND', 'HOST', 'PROVIDER']
    assert sum(line.startswith('inventory_mismatch') for line in lines) == 2
    assert 'Auditing' not in out

    rc, out, err = _manage(tmp_path, '--state-dir', state, '--fix',
                           tty=True)
    assert rc == 0, err
    assert 'Auditing Placement: 2/2 deployables' in out
    assert '2 difference(s), 2 fixed, 0 left.' in out

    rc, out, err = _manage(tmp_path, '--state-dir', state, '--host',
                           inv.HOST)
    assert (rc, out.strip().endswith('in sync.')) == (0, True), out
    engine.dispose()


def test_errors_exit_2(tmp_path):
    rc, out, err = _manage(tmp_path, '--state-dir', str(tmp_path / 'none'))
    assert rc == 2
    assert 'no standalone database' in err and 'Traceback' not in err
    conf_args = ('--format', 'yaml')
    rc, out, err = _manage(tmp_path, *conf_args)
    assert rc == 2 and 'yaml' in err


CONFIG = """[database]
connection = sqlite:///{db}
[placement]
auth_type = admin_token
endpoint = {placement}
endpoint_override = {placement}
token = admin
"""


def test_config_file_deployment(tmp_path):
    """The services' configuration: [database] and [placement] (a real
    Placement on a loopback port); Placement unreachable -> 2."""
    with database.Database() as db:
        _against(tmp_path, db)


def _against(tmp_path, db):
    with placement_fixture.PlacementFixture(real_server=True) as placement:
        placement.create_compute_node(inv.HOST)
        inventory.report_data(context.get_admin_context(), inv.HOST,
                              [inv.gpu_device(0)],
                              client=placement.new_client())
        conf = tmp_path / 'cyborg.conf'
        conf.write_text(CONFIG.format(db=db.path,
                                      placement=placement.endpoint))
        args = [sys.executable, '-c', _RUN, '--config-file', str(conf),
                'placement', 'audit', '--format', 'json']
        proc = subprocess.run(args, capture_output=True, text=True,
                              timeout=120)
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)['placement_calls'] == 6
        rp = placement.client.provider_uuid_for(
            inv.gpu_device(0)['deployable_list'][0]['name'])
        assert placement.raw('DELETE', '/resource_providers/' +
                             rp).status_code == 204
        proc = subprocess.run(args, capture_output=True, text=True,
                              timeout=120)
        assert proc.returncode == 1, proc.stderr
        rows = json.loads(proc.stdout)['differences']
        assert [r['kind'] for r in rows] == ['provider_missing']
        endpoint = placement.endpoint
    # Placement gone (the database is still there)
    conf.write_text(CONFIG.format(db=db.path, placement=endpoint) +
                    'connect_retries = 0\n')
    proc = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert 'PlacementServerError' in proc.stderr, proc.stderr
    assert 'Traceback' not in proc.stderr
