"""SQLite writers wait their turn (issue 12): a ``@writer`` transaction
that reads before it writes never fails with "database is locked" because
another writer committed in between.

No retry wrapper here on purpose: threads run read-then-write
transactions on one SQLite file; with a deferred ``BEGIN`` the losers of
each round fail at once (SQLite cannot wait for a stale snapshot), with
the writer's ``BEGIN IMMEDIATE`` (``cyborg.db.session``) every one waits
for the lock and commits. Readers still never wait for a writer.
"""
import threading
import uuid

import sqlalchemy as sa

from cyborg import context as cyborg_context
from cyborg.db import models
from cyborg.db import session
from cyborg.tests.fixtures.database import database  # noqa: F401

THREADS, EACH = 6, 8


@session.writer
def _count_then_add(context, tag):
    count = context.session.scalar(
        sa.select(sa.func.count()).select_from(models.DeviceProfile))
    context.session.add(models.DeviceProfile(
        uuid=str(uuid.uuid4()), name='%s-%d' % (tag, count),
        profile_json='{"groups": []}'))


@session.reader
def _count(context):
    return context.session.scalar(
        sa.select(sa.func.count()).select_from(models.DeviceProfile))


def test_read_then_write_transactions_all_commit(database):  # noqa: F811
    errors, barrier = [], threading.Barrier(THREADS)

    def work(n):
        ctx = cyborg_context.get_admin_context()
        barrier.wait()
        for i in range(EACH):
            try:
                _count_then_add(ctx, 't%d-%d' % (n, i))
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(repr(exc)[:200])

    threads = [threading.Thread(target=work, args=(n,))
               for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert _count(cyborg_context.get_admin_context()) == THREADS * EACH
