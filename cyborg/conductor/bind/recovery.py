"""Crash recovery: no ARQ stays half bound, half unbound or half deleted
once the process doing the work is gone (issue 12).

Work in progress names its conductor in the ARQ's ``state_reason``:

* a bind: ``BindStarted`` and ``bind_db.owner_marker`` (``deadlines.py``
  fails it: ``BindFailed``, handle released, a half-programmed FPGA's
  bitstream forgotten);
* a delete: ``Deleting`` and ``bind_db.delete_marker``; it is finished
  here: the mdev removed, the row deleted, its handle released;
* the mdev removal of an unbind: the ARQ's state and
  ``bind_db.unbind_marker``; the unbind is finished here (mdev removed,
  ``Unbound``, handle released).

Three moments find such work:

* :func:`recover`, when a conductor starts, before it serves: all the
  work its host name had in progress (the previous process is gone: the
  cluster refused to start otherwise);
* :func:`take_over`, when the cluster finds a conductor dead
  (``cluster/takeover.py``): that conductor's work started before the
  check;
* :func:`sweep`, each cycle of the ``bind-deadlines`` job: binds past
  ``bind_timeout`` (``deadlines.enforce``), and deletes and unbinds
  whatever their owner that have not moved for ``bind_timeout``:
  ``Deleting`` rows (a delete whose mdev removal failed, or one of a
  release that wrote no owner) and ``UnbindFailed`` rows (an unbind whose
  mdev removal failed: it is tried again).

Finishing is the same code a client's delete or unbind runs, so it is
as safe to race: every step is a conditional write on the state and
handle the row was read with. A failure (the agent is still away) leaves
the row as it was, for the next cycle.
"""
import logging

import sqlalchemy as sa

from cyborg import context as cyborg_context
from cyborg.common import exception
from cyborg.common import state_machine as sm
from cyborg.common import states
from cyborg.conductor.bind import deadlines
from cyborg.conductor.bind import unbind as bind_unbind
from cyborg.conf import CONF
from cyborg.db import models
from cyborg.db.queries import binding as bind_db

LOG = logging.getLogger(__name__)


def _finish_deletes(context, where):
    holdings = bind_db.run(context, bind_unbind.deleting_holdings, where)
    done = []
    for holding in holdings:     # one by one: one agent failure stops one
        try:
            bind_unbind.finish_delete(context, [holding])
        except exception.CyborgException as exc:
            LOG.warning('Could not finish the delete of ARQ %s: %s',
                        holding.uuid, exc)
            continue
        done.append(holding.uuid)
    if done:
        LOG.warning('Finished the interrupted delete of ARQ(s) %s', done)
    return done


def _unbinds(context, where):
    arq = models.ExtArq
    return list(context.session.scalars(
        sa.select(arq.uuid).where(*where).order_by(arq.id)))


def _finish_unbinds(context, where):
    done = []
    for uuid in bind_db.run(context, _unbinds, where):
        try:
            bind_unbind.unbind(context, [uuid])
        except exception.CyborgException as exc:
            LOG.warning('Could not finish the unbind of ARQ %s: %s', uuid,
                        exc)
            continue
        done.append(uuid)
    if done:
        LOG.warning('Finished the interrupted unbind of ARQ(s) %s', done)
    return done


def _owned_by(host, started_before):
    """Conditions of the deletes and unbinds conductor ``host`` had in
    progress (last written before ``started_before``, when given)."""
    arq = models.ExtArq
    when = [] if started_before is None else [arq.updated_at <
                                              started_before]
    deletes = [arq.state_reason == bind_db.delete_marker(host), *when]
    unbinds = [arq.state_reason == bind_db.unbind_marker(host),
               arq.state != states.DELETING, *when]
    return deletes, unbinds


def take_over(context, host, reason, started_before=None):
    """Finish or roll back the work conductor ``host`` had in progress;
    returns ``{'binds_failed': [...], 'deletes_finished': [...],
    'unbinds_finished': [...]}`` (ARQ uuids)."""
    deletes, unbinds = _owned_by(host, started_before)
    return {
        'binds_failed': deadlines.fail_owned(context, host, reason,
                                             started_before=started_before),
        'deletes_finished': _finish_deletes(context, deletes),
        'unbinds_finished': _finish_unbinds(context, unbinds),
    }


def recover(context=None, host=None):
    """At conductor start: the work of this host's previous process."""
    context = context or cyborg_context.get_admin_context()
    host = host or CONF.host
    return take_over(
        context, host,
        'conductor %s restarted while the bind was in progress' % host)


def sweep(context=None, timeout=None):
    """One cycle: binds past ``bind_timeout`` failed, deletes and unbinds
    that have not moved for as long finished (whoever started them)."""
    context = context or cyborg_context.get_admin_context()
    timeout = CONF.bind_timeout if timeout is None else timeout
    cutoff = sm.older_than(timeout)
    arq = models.ExtArq
    return {
        'binds_failed': deadlines.enforce(context, timeout),
        'deletes_finished': _finish_deletes(context,
                                            [arq.updated_at < cutoff]),
        'unbinds_finished': _finish_unbinds(
            context, [arq.state == states.UNBIND_FAILED,
                      arq.updated_at < cutoff]),
    }
