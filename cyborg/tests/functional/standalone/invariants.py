"""State invariants of a ``cyborg-standalone`` state directory (issue 12,
item 4), read from its SQLite file (read-only, while it runs): what the
SIGKILL test checks after each restart and the fuzz run at its end."""
import os
import sqlite3

from cyborg.common import states

TRANSITIONAL = (states.BIND_STARTED, states.DELETING, states.UNBIND_FAILED)


def connect(state_dir):
    path = os.path.join(state_dir, 'cyborg.sqlite')
    return sqlite3.connect('file:%s?mode=ro' % path, uri=True, timeout=30)


def arq_rows(state_dir):
    """{uuid: (state, instance, handle id)}"""
    with connect(state_dir) as conn:
        return {r[0]: (r[1], r[2], r[3]) for r in conn.execute(
            'SELECT uuid, state, instance_uuid, attach_handle_id '
            'FROM extended_accelerator_requests')}


def handles_in_use(state_dir):
    with connect(state_dir) as conn:
        return {r[0] for r in conn.execute(
            'SELECT id FROM attach_handles WHERE in_use = 1')}


def check(state_dir):
    """No ARQ in a transitional state; the handles in use are exactly
    those of the Bound ARQs. Returns the ARQ rows."""
    rows = arq_rows(state_dir)
    stuck = {u: r[0] for u, r in rows.items() if r[0] in TRANSITIONAL}
    assert not stuck, stuck
    bound_handles = [r[2] for r in rows.values() if r[0] == states.BOUND]
    assert None not in bound_handles
    assert sorted(bound_handles) == sorted(handles_in_use(state_dir))
    held = {u: r for u, r in rows.items()
            if r[0] != states.BOUND and r[2] is not None}
    assert not held, held
    return rows
