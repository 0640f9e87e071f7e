"""No ARQ stays ``BindStarted`` forever (decision D3.9).

* :func:`enforce` fails every ARQ that has been ``BindStarted`` longer
  than ``[DEFAULT] bind_timeout`` (from its ``updated_at``, written when
  it entered ``BindStarted``): ``BindFailed`` with a ``state_reason``, its
  attach handle released, its mdev removed (best effort) and a
  ``failed`` event for Nova queued in the outbox in the same transaction
  (``cluster/outbox.py`` delivers it). Any conductor may do this for any
  ARQ.
* :func:`fail_owned` fails the same way, at once, the binds a given
  conductor had started: its own at its restart, or those of another
  conductor found dead (both through ``recovery.py``).
* :func:`start_periodic` runs :func:`enforce` every ``interval`` seconds
  in a daemon thread and returns an object with ``stop()``.

A bind that was programming an FPGA when it was failed may have left
the FPGA half programmed: when the deployable does not record the
bitstream the bind asked for (it is recorded only once programming
succeeded), its ``bitstream_id`` is cleared (unknown), so the next bind
that wants a bitstream there programs it again.

A bind's owner is recorded in ``state_reason`` while it is
``BindStarted`` (``bind_db.owner_marker``). Every move is the usual
conditional UPDATE that also checks the handle the ARQ holds, so a bind
that finishes concurrently either wins (Bound) or loses (BindFailed),
never both, and a handle is released once.
"""
import logging
import threading

import sqlalchemy as sa

from cyborg import context as cyborg_context
from cyborg.common import state_machine as sm
from cyborg.common import states
from cyborg.conductor.bind import agent as bind_agent
from cyborg.conf import CONF
from cyborg.db import models
from cyborg.db.queries import binding as bind_db
from cyborg.notifications import events as notifications

LOG = logging.getLogger(__name__)


def _stuck(context, older_than=None, owner=None):
    """(id, uuid, instance, handle id, handle uuid, type, info, host,
    deployable id, deployable bitstream, profile id, group index)."""
    arq, ah = models.ExtArq, models.AttachHandle
    dep, dev = models.Deployable, models.Device
    query = (sa.select(arq.id, arq.uuid, arq.instance_uuid,
                       arq.attach_handle_id, ah.uuid, ah.attach_type,
                       ah.attach_info, dev.hostname,
                       dep.id.label('dep_id'),
                       dep.bitstream_id.label('dep_bitstream'),
                       arq.device_profile_id,
                       arq.device_profile_group_id)
             .outerjoin(ah, arq.attach_handle_id == ah.id)
             .outerjoin(dep, ah.deployable_id == dep.id)
             .outerjoin(dev, dep.device_id == dev.id)
             .where(arq.state == states.BIND_STARTED).order_by(arq.id))
    if older_than is not None:
        query = query.where(arq.updated_at < older_than)
    if owner is not None:
        query = query.where(arq.state_reason == owner)
    return context.session.execute(query).all()


def _fail(context, rows, reason):
    """Move each still-BindStarted row to BindFailed; release handles;
    queue the ``failed`` events of the rows moved."""
    arq = models.ExtArq
    failed = []
    for row in rows:
        held = (arq.attach_handle_id.is_(None) if row.attach_handle_id is None
                else arq.attach_handle_id == row.attach_handle_id)
        if sm.move(context.session, row.id, states.BIND_FAILED,
                   {'state_reason': reason[:2000], 'attach_handle_id': None,
                    'deployable_id': None},
                   where=[held], sources_override={states.BIND_STARTED}):
            failed.append(row)
    bind_db.release_handles(context, [r.attach_handle_id for r in failed])
    bind_db.nova_events(context, [(r.instance_uuid, r.uuid,
                                   states.BIND_FAILED) for r in failed])
    _forget_unconfirmed_bitstreams(context, failed)
    return failed


def _forget_unconfirmed_bitstreams(context, rows):
    """Clear the recorded bitstream of FPGAs a failed bind may have been
    programming (see the module docstring)."""
    dep = models.Deployable
    for row in rows:
        if row.dep_id is None or row.dep_bitstream is None:
            continue
        group = bind_db._profile_group(context, row)
        wanted = group.get(bind_db.BITSTREAM_KEY)
        if (not wanted or group.get(bind_db.FUNCTION_KEY)
                or row.dep_bitstream == wanted):
            continue
        context.session.execute(
            sa.update(dep).where(dep.id == row.dep_id,
                                 dep.bitstream_id == row.dep_bitstream)
            .values(bitstream_id=None)
            .execution_options(synchronize_session=False))
        LOG.warning('Deployable %s may be half programmed (a bind that '
                    'was programming %s failed): its bitstream is now '
                    'unknown', row.dep_id, wanted)


def _fail_rows(context, find, reason):
    def work(ctx):
        return _fail(ctx, find(ctx), reason)
    failed = bind_db.run(context, work)
    notifications.arq_bind_error(context, [r.uuid for r in failed], reason)
    for row in failed:
        if row.attach_type == bind_agent.MDEV:
            try:
                bind_agent.remove_mdev(context, row.hostname,
                                       row.attach_info, row[4])
            except Exception as exc:  # noqa: BLE001 - best effort
                LOG.warning('Could not remove mdev %s of failed ARQ %s: %s',
                            row[4], row.uuid, exc)
    if failed:
        LOG.warning('Failed %d bind(s): %s (%s)', len(failed),
                    [r.uuid for r in failed], reason)
    return [r.uuid for r in failed]


def enforce(context=None, timeout=None):
    """Fail binds older than ``timeout`` (``[DEFAULT] bind_timeout``);
    returns the uuids of the ARQs failed."""
    context = context or cyborg_context.get_admin_context()
    timeout = CONF.bind_timeout if timeout is None else timeout
    cutoff = sm.older_than(timeout)
    return _fail_rows(
        context, lambda ctx: _stuck(ctx, older_than=cutoff),
        'bind did not finish within bind_timeout (%s s)' % timeout)


def fail_owned(context, host, reason, started_before=None):
    """Fail every bind that conductor ``host`` had started (before
    ``started_before``, a naive UTC time, when given); returns the uuids
    of the ARQs failed."""
    return _fail_rows(
        context, lambda ctx: _stuck(ctx, older_than=started_before,
                                    owner=bind_db.owner_marker(host)),
        reason)


class Periodic:
    """A daemon thread calling ``func`` every ``interval`` seconds."""

    def __init__(self, func, interval):
        self.func, self.interval = func, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name='bind-deadlines')
        self.runs = 0

    def start(self):
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.wait(self.interval):
            try:
                self.func()
            except Exception:  # noqa: BLE001 - keep enforcing
                LOG.exception('Bind deadline enforcement failed')
            self.runs += 1

    def stop(self, timeout=None):
        self._stop.set()
        if self._thread.is_alive() and \
                self._thread is not threading.current_thread():
            self._thread.join(timeout)

    @property
    def running(self):
        return self._thread.is_alive()


def start_periodic(interval=None, context=None):
    """Run :func:`enforce` every ``interval`` seconds (default: a quarter
    of ``bind_timeout``, at least 1 s); returns a stoppable
    :class:`Periodic`."""
    if interval is None:
        interval = max(CONF.bind_timeout / 4.0, 1.0)
    return Periodic(lambda: enforce(context), interval).start()
