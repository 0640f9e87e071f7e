"""Back-fill ``project_id`` of ARQs bound before it was recorded.

ARQs of a database adopted from an old release can have an
``instance_uuid`` but no ``project_id`` (our API always stores it). Their
project is the owner of the instance, which Nova tells: ``GET
/servers/{id}`` at compute microversion 2.82, field ``tenant_id``
(internals.md §1.3, §11.2).

:func:`backfill_project_ids` walks those rows in batches ordered by id
(keyset: a row that stays NULL is never read twice), asks Nova once per
distinct instance for the whole walk, and writes the project in one short
transaction per batch; no transaction is open while Nova is asked. A 404
(Nova does not know the server) skips the instance's rows; any other
error is logged, counted, and the walk goes on. ``[nova]`` not being
configured aborts the walk (every lookup would fail the same way).

:func:`run_once` is the cluster's periodic job (``cluster/``: once per
``[conductor] backfill_interval`` across the conductors, the first run at
the first conductor's start, in a thread of its own, so start never
waits for it); :func:`start_background` runs it once in a daemon thread.
"""
import functools
import logging
import operator
import threading

import sqlalchemy as sa
from sqlalchemy import orm

from cyborg import context as cyborg_context
from cyborg.clients import nova
from cyborg.common import exception
from cyborg.conf import CONF
from cyborg.db import models
from cyborg.db import session
from cyborg.db.queries import binding as bind_db

LOG = logging.getLogger(__name__)

BATCH_SIZE = 100
_FAILED = object()


class Result(tuple):
    """``(migrated, failed)`` ARQ counts; ``skipped`` counts the ARQs whose
    instance Nova does not know (404)."""

    def __new__(cls, migrated=0, failed=0, skipped=0):
        self = super().__new__(cls, (migrated, failed))
        self.skipped = skipped
        return self

    migrated = property(operator.itemgetter(0))
    failed = property(operator.itemgetter(1))

    def __repr__(self):
        return 'Result(migrated=%d, failed=%d, skipped=%d)' % (
            self.migrated, self.failed, self.skipped)


def _batch(sess, after_id, size):
    """(id, instance_uuid) of the next ``size`` ARQs to back-fill."""
    arq = models.ExtArq
    return sess.execute(
        sa.select(arq.id, arq.instance_uuid)
        .where(arq.instance_uuid.is_not(None), arq.project_id.is_(None),
               arq.id > after_id)
        .order_by(arq.id).limit(size)).all()


def _write(sess, projects):
    """Set each ``{project: [arq id, ...]}``; returns the rows changed.

    Only rows still without a project change (an API write in between
    wins), and ``updated_at`` keeps its value: it times ``BindStarted``.
    """
    arq = models.ExtArq
    changed = 0
    for project, ids in projects.items():
        changed += sess.execute(
            sa.update(arq)
            .where(arq.id.in_(ids), arq.project_id.is_(None))
            .values(project_id=project, updated_at=arq.updated_at)
            .execution_options(synchronize_session=False)).rowcount
    return changed


def _read_batch(context, engine, after_id, size):
    if engine is not None:
        with orm.Session(engine) as sess:
            return _batch(sess, after_id, size)
    with session.reader.using(context):
        return _batch(context.session, after_id, size)


def _write_batch(context, engine, projects):
    if engine is not None:
        with orm.Session(engine) as sess, sess.begin():
            return _write(sess, projects)

    def write_projects(ctx):
        return _write(ctx.session, projects)
    # The conductor's writer: retried on deadlocks, serialised on SQLite.
    return bind_db.run(context, write_projects)


def nova_lookup(conf=None):
    """:func:`nova.server_project` on the ``[nova]`` adapter of ``conf``,
    built on the first lookup (a database without such ARQs needs no
    Nova)."""
    adapter = []

    def lookup(server_uuid):
        if not adapter:
            adapter.append(nova.adapter_or_raise(
                conf, purpose='back-fill the project of ARQs'))
        return nova.server_project(server_uuid, adapter=adapter[0])
    return lookup


def backfill_project_ids(context, batch_size=BATCH_SIZE, lookup=None,
                         engine=None):
    """Give ARQs with an instance but no project the instance's project.

    ``lookup(instance_uuid)`` returns the project, or None when the
    instance does not exist (default: :func:`nova.server_project` with
    ``[nova]``). The rows are read and written through the service's
    transaction context (``cyborg.db.session``), or on ``engine`` when
    given (``cyborg-dbsync`` brings its own).

    Returns a :class:`Result`: ``(migrated, failed)`` ARQ counts, plus
    ``skipped`` for the ARQs of unknown instances. Raises
    :class:`~cyborg.common.exception.NovaNotConfigured` when the lookup
    does: the walk stops there (with :func:`nova_lookup` that is the
    first lookup, before anything is written).
    """
    if batch_size < 1:
        raise ValueError('batch_size must be at least 1')
    lookup = lookup or nova_lookup()
    known = {}
    migrated = failed = skipped = 0
    after_id = 0
    while True:
        rows = _read_batch(context, engine, after_id, batch_size)
        if not rows:
            break
        after_id = rows[-1].id
        projects = {}
        for row in rows:
            instance = row.instance_uuid
            if instance not in known:
                known[instance] = _ask(lookup, instance)
            project = known[instance]
            if project is _FAILED:
                failed += 1
            elif project is None:
                skipped += 1
            else:
                projects.setdefault(project, []).append(row.id)
        if projects:
            migrated += _write_batch(context, engine, projects)
    result = Result(migrated, failed, skipped)
    if migrated or failed or skipped:
        LOG.info('ARQ project_id back-fill: %d migrated, %d skipped '
                 '(instance unknown to Nova), %d failed', migrated,
                 skipped, failed)
    return result


def _ask(lookup, instance):
    try:
        project = lookup(instance)
    except exception.NovaNotConfigured:
        raise
    except Exception as exc:  # noqa: BLE001 - log, count, go on
        LOG.error('Cannot back-fill the project of the ARQs of instance '
                  '%s: %s', instance, exc)
        return _FAILED
    if project is None:
        LOG.warning('Instance %s of ARQs without a project is unknown to '
                    'Nova (404): their project_id stays empty', instance)
    return project


def _run(lookup):
    try:
        backfill_project_ids(cyborg_context.get_admin_context(),
                             lookup=lookup)
    except Exception:  # noqa: BLE001 - never take the conductor down
        LOG.exception('ARQ project_id back-fill failed')


def _lookup(conf):
    """Nova's project lookup, or None when ``[nova]`` is not configured
    or its options cannot be loaded (logged): then nothing is back-filled."""
    try:
        adapter = nova._adapter_from_conf(conf or CONF)
    except Exception:  # noqa: BLE001 - a bad [nova] must not stop us
        LOG.exception('Cannot build the Nova client: skipping the ARQ '
                      'project_id back-fill')
        return None
    if adapter is None:
        LOG.debug('[nova] is not configured: skipping the ARQ project_id '
                  'back-fill')
        return None
    return functools.partial(nova.server_project, adapter=adapter)


def run_once(conf=None):
    """One back-fill walk in the calling thread (the cluster's periodic
    job); does nothing when ``[nova]`` is not configured."""
    lookup = _lookup(conf)
    if lookup is not None:
        _run(lookup)


def start_background(conf=None):
    """Run :func:`backfill_project_ids` once in a daemon thread; returns
    the thread, or None when ``[nova]`` is not configured (or its options
    cannot be loaded: logged)."""
    lookup = _lookup(conf)
    if lookup is None:
        return None
    thread = threading.Thread(target=_run, args=(lookup,),
                              name='arq-project-backfill', daemon=True)
    thread.start()
    return thread
