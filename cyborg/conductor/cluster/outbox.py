"""The outbox sender: Nova events delivered like a message queue.

The transaction that resolves an ARQ writes its ``accelerator-request-bound``
event into ``nova_events`` (``db/queries/outbox.py``); so an event exists
if and only if its state change committed, and it survives the process
that wrote it. Every conductor runs one :class:`Sender`, which delivers
the rows of the whole cluster:

1. **wake**: at once after a commit of this process added rows (an
   in-process signal from the query module), and every ``[conductor]
   nova_event_poll_interval`` for the rows it was not told about
   (written by another conductor, left by a dead one, due again after a
   failed attempt);
2. **claim**: a sender thread takes every due row, up to ``[conductor]
   nova_event_batch_size``, under a lease (``claim_id``, owner and
   expiry, one conditional UPDATE): two senders never hold the same row,
   and the rows of a sender that died become due for the others when its
   lease (``[conductor] nova_event_lease``) expires;
3. **post**: the claimed events go to Nova in one ``POST
   /os-server-external-events`` (``clients/nova.py``). Up to ``[conductor]
   nova_event_senders`` threads post at once; a thread that claimed a
   full batch wakes another, so a backlog is sent in parallel;
4. **settle**: events Nova took, or answered finally (a 207's 404/422 for
   one event, a 4xx for the request) are deleted; the others (connection
   error, 5xx, a 207's 5xx events) are released with ``attempts + 1`` and
   due again after an exponential backoff (1 s doubling to 60 s), and
   dropped with an error once older than ``[conductor]
   nova_event_max_age``. Then the thread claims again: events committed
   while it posted leave with the next request, so a burst of binds waits
   at most the request in flight plus its own.

Delivery is at least once: a conductor that dies after Nova answered and
before it deleted the rows, or a POST that outlasts the lease, lets
another conductor post them again (Nova treats a repeated event as a
no-op for a server no longer waiting). A failure to notify never fails
a bind (D3.10): the bind committed before anything was sent.

:meth:`Sender.stop` (a clean stop) gives the threads a moment to send
what is due, lets a POST in flight finish and leaves every other row in
the table, for the other conductors or the next start.
"""
import logging
import threading
import time

from oslo_utils import timeutils

from cyborg import context as cyborg_context
from cyborg.clients import nova
from cyborg.conf import CONF
from cyborg.db.queries import binding as bind_db
from cyborg.db.queries import outbox as outbox_db

LOG = logging.getLogger(__name__)

FIRST_DELAY = 1.0
MAX_DELAY = 60.0


class Sender:
    """The outbox sender threads of one conductor (see the module)."""

    def __init__(self, host, client_factory=None, context=None, conf=CONF,
                 workers=None, batch_size=None, poll_interval=None,
                 lease=None, max_age=None, first_delay=FIRST_DELAY,
                 max_delay=MAX_DELAY):
        group = conf.conductor
        self.host = host
        self.context = context or cyborg_context.get_admin_context()
        self._client_factory = client_factory or nova.NovaClient
        self._client = None
        self.workers = workers or group.nova_event_senders
        self.batch_size = batch_size or group.nova_event_batch_size
        self.poll_interval = poll_interval or group.nova_event_poll_interval
        self.lease = lease or group.nova_event_lease
        self.max_age = max_age or group.nova_event_max_age
        self.first_delay, self.max_delay = first_delay, max_delay
        self._cond = threading.Condition()
        self._dirty = True          # look once at start
        self._busy = 0
        self._stopping = False
        self._poll_at = 0.0
        self._threads = []
        # what tests and operators look at
        self.posts = self.delivered = self.failed_posts = 0
        self.dropped = 0

    # -- life cycle -----------------------------------------------------

    def start(self):
        outbox_db.subscribe(self.wake)
        self._poll_at = time.monotonic() + self.poll_interval
        for n in range(self.workers):
            thread = threading.Thread(target=self._loop, args=(n == 0,),
                                      name='nova-outbox-%d' % n, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def wake(self):
        """Rows were committed: one idle thread claims them now."""
        with self._cond:
            self._dirty = True
            self._cond.notify()

    def wait_idle(self, timeout=10.0):
        """Send what is due now and wait until every thread is idle;
        False on timeout."""
        self.wake()
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._dirty or self._busy:
                left = deadline - time.monotonic()
                if left <= 0 or not self._threads:
                    return False
                self._cond.wait(min(left, 0.05))
        return True

    def stop(self, flush=0.0, timeout=10.0):
        """Stop; ``flush`` seconds to send what is due first. Rows not
        sent stay in the table."""
        if flush and self._threads:
            self.wait_idle(flush)
        outbox_db.unsubscribe(self.wake)
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(timeout)
        self._threads = []

    # -- the threads ----------------------------------------------------

    def _wait(self, poller):
        """Block until there is something to look at; False at stop."""
        with self._cond:
            while not self._dirty and not self._stopping:
                if not poller:
                    self._cond.wait()
                    continue
                left = self._poll_at - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            if self._stopping:
                return False
            now = time.monotonic()
            if poller and self._poll_at <= now:
                self._poll_at = now + self.poll_interval
            self._dirty = False
            self._busy += 1
            return True

    def _loop(self, poller):
        while self._wait(poller):
            try:
                self._drain()
            except Exception:  # noqa: BLE001 - the sender must survive
                LOG.exception('Nova event outbox: cannot claim events; '
                              'trying again in %.1f s', self.poll_interval)
            finally:
                with self._cond:
                    self._busy -= 1
                    self._cond.notify_all()

    def _drain(self):
        while not self._stopping:
            claim_id, rows = bind_db.run(self.context, outbox_db.claim,
                                         self.host, self.lease,
                                         self.batch_size)
            if not rows:
                return
            if len(rows) >= self.batch_size:
                self.wake()         # more are due: another thread helps
            self._send(claim_id, rows)

    def _get_client(self):
        if self._client is None:
            self._client = self._client_factory()
        return self._client

    def _send(self, claim_id, rows):
        events = [nova.event(r.server_uuid, r.arq_uuid, r.status)
                  for r in rows]
        try:
            client = self._get_client()
        except Exception as exc:  # noqa: BLE001 - bad config: retry later
            return self._settle(claim_id, rows, rows,
                                'cannot build the Nova client: %s' % exc)
        if not client.enabled:
            LOG.warning('Nova is not configured ([nova]): dropping events '
                        '%s', [e['tag'] for e in events])
            self._count(dropped=len(rows))
            bind_db.run(self.context, outbox_db.delete, claim_id)
            return
        self._count(posts=1)
        try:
            client.send_events(events)
            return self._settle(claim_id, rows, [], None)
        except nova.Retry as retry:
            tags = {e['tag'] for e in retry.events}
            again = [r for r in rows if r.arq_uuid in tags]
            reason = str(retry)
        except Exception as exc:  # noqa: BLE001 - keep the rows
            again, reason = rows, 'unexpected error: %s' % exc
        self._count(failed_posts=1)
        self._settle(claim_id, rows, again, reason)

    def _settle(self, claim_id, rows, again, reason):
        now = timeutils.utcnow()
        again_ids = {r.id for r in again}
        too_old = [r for r in again
                   if (now - r.created_at).total_seconds() >= self.max_age]
        if too_old:
            LOG.error('Giving up on Nova events %s after %d attempt(s): %s',
                      [r.arq_uuid for r in too_old],
                      max(r.attempts for r in too_old) + 1, reason)
            self._count(dropped=len(too_old))
            again_ids -= {r.id for r in too_old}
        done = [r.id for r in rows if r.id not in again_ids]
        later = {r.id: self.delay(r.attempts) for r in again
                 if r.id in again_ids}
        if later:
            LOG.warning('Nova events %s not delivered (%s); next attempt '
                        'in %.1f s', [r.arq_uuid for r in again
                                      if r.id in later], reason,
                        min(later.values()))
            bind_db.run(self.context, outbox_db.retry_later, claim_id,
                        later, reason)
            self._retry_in(min(later.values()))
        if done:
            bind_db.run(self.context, outbox_db.delete, claim_id, done)
            self._count(delivered=len(done) - len(too_old))

    def delay(self, attempts):
        """Seconds before attempt ``attempts + 2`` of an event."""
        return min(self.first_delay * 2 ** attempts, self.max_delay)

    def _retry_in(self, seconds):
        """Make the poller look again when our retry is due."""
        with self._cond:
            self._poll_at = min(self._poll_at, time.monotonic() + seconds)
            self._cond.notify_all()

    def _count(self, **counts):
        with self._cond:
            for name, n in counts.items():
                setattr(self, name, getattr(self, name) + n)
