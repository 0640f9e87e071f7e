"""Takeover: the unfinished work of a dead conductor is finished or rolled
back by a live one (binds failed as below; deletes and cut-short unbinds
finished, ``bind/recovery.py``).

A bind in progress is ``BindStarted`` with its conductor's name in
``state_reason`` (``bind_db.owner_marker``); only that conductor's
memory knew how far it got (an agent call may be half done), so a live
conductor cannot finish it and fails it instead: ``BindFailed`` with a
reason naming the dead conductor, its attach handle released, its mdev
removed, Nova told ``failed`` (so Nova reschedules now instead of at
``bind_timeout``). See ``deadlines.fail_owned``.

:func:`run` is a cluster periodic job (every ``[conductor]
heartbeat_interval``), so a death is acted on within
``heartbeat_timeout`` plus one interval. Only members of the
``conductors`` table are taken over: a conductor of an older release,
which writes no heartbeat, is never mistaken for a dead one (its binds
still fail at ``bind_timeout``). Only binds started before the check
read the member list are failed: a conductor restarted under the dead
one's name in the meantime keeps its new binds.
"""
import logging

from oslo_utils import timeutils

from cyborg import context as cyborg_context
from cyborg.conductor.bind import recovery
from cyborg.conf import CONF
from cyborg.db.queries import conductors as conductors_db

LOG = logging.getLogger(__name__)


def run(host, context=None, timeout=None):
    """Fail the binds of every dead member other than ``host``; returns
    ``{dead host: [failed ARQ uuids]}`` (only hosts with failed binds)."""
    context = context or cyborg_context.get_admin_context()
    timeout = timeout or CONF.conductor.heartbeat_timeout
    failed = {}
    # Binds started after this moment are not the dead one's: a new
    # process may take the name over while we work.
    decided_at = timeutils.utcnow()
    for dead in conductors_db.dead_hosts(context, timeout):
        if dead == host:
            continue
        reason = ('conductor %s stopped or missed its heartbeats (more '
                  'than %d s) while the bind was in progress; failed by '
                  'conductor %s' % (dead, timeout, host))
        done = recovery.take_over(context, dead, reason,
                                  started_before=decided_at)
        uuids = done['binds_failed']
        if uuids:
            LOG.warning('Took over from dead conductor %s: failed binds %s',
                        dead, uuids)
            failed[dead] = uuids
    return failed
