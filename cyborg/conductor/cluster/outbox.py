"""The outbox sender: Nova events delivered like a message queue.

The transaction that resolves an ARQ writes its ``accelerator-request-bound``
event into ``nova_events`` (``db/queries/outbox.py``); so an event exists
if and only if its state change committed, and it survives the process
that wrote it. Every conductor runs one :class:`Sender`, which delivers
the events of the whole cluster. Its threads:

* **post** (``[conductor] nova_event_senders`` of them): take every
  event waiting in memory, up to ``[conductor] nova_event_batch_size``,
  and send them in one ``POST /os-server-external-events``
  (``clients/nova.py``). Events arrive in memory two ways: *handed over*
  by a commit of this process (the rows were written already claimed by
  this sender, so nothing is read back from the database and the POST
  leaves at once), or *claimed* by the poll thread. Events committed
  while a POST is in flight leave with the next one, from another post
  thread if one is idle: a burst of binds waits at most the request in
  flight plus its own.
* **poll** (one): every ``[conductor] nova_event_poll_interval``, and
  when a retry of its own is due, claims the due rows of the table under
  a lease (``claim_id``, owner and expiry, one conditional UPDATE): rows
  written by a conductor without a running sender, left by a dead one
  (its lease, ``[conductor] nova_event_lease``, expired), or due again
  after a failed attempt. Two senders never hold the same row.
* **settle** (one): records the outcome of the POSTs in one transaction
  for as many as are ready, so that no post thread waits for the
  database: events Nova took, or answered finally (a 207's 404 or 422
  for one event, a 4xx for the request) are deleted; the others
  (connection error, 5xx, a 207's 5xx events) are released with
  ``attempts + 1``, due again after an exponential backoff (1 s doubling
  to 60 s), and dropped with an error once older than ``[conductor]
  nova_event_max_age``.

Delivery is at least once: a conductor that dies after Nova answered and
before the rows were deleted, or a POST that outlasts the lease, lets
another conductor post them again (a repeated event changes nothing for
a server no longer waiting for it). A failure to notify never fails a
bind (D3.10): the bind committed before anything was sent.

At start the sender releases the rows still claimed under its host name
(the previous process of that name is gone: ``membership`` guarantees
one live conductor per name). :meth:`Sender.stop` gives it a moment to
send what is waiting, lets a POST in flight finish, records the
outcomes, and gives back what it had not sent, for the other conductors
or the next start.
"""
import collections
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
        self.host = self.owner = host
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
        self._ready = collections.deque()   # (claim_id, [Row]) to post
        self._outcomes = []                 # (claim_id, done, later, err)
        self._posting = 0
        self._settling = False
        self._claiming = False
        self._polls = 0
        self._poll_at = 0.0
        self._stopping = False
        self._threads = []
        # what tests and operators look at
        self.posts = self.delivered = self.failed_posts = 0
        self.dropped = 0

    # -- life cycle -----------------------------------------------------

    def start(self):
        try:
            bind_db.run(self.context, outbox_db.release, owner=self.host)
        except Exception:  # noqa: BLE001 - their lease expires anyway
            LOG.exception('Could not release the Nova events left claimed '
                          'by %s', self.host)
        outbox_db.subscribe(self)
        self._start('nova-outbox-poll', self._poll_loop)
        self._start('nova-outbox-settle', self._settle_loop)
        for n in range(self.workers):
            self._start('nova-outbox-post-%d' % n, self._post_loop)
        return self

    def _start(self, name, target):
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def handoff(self, claim_id, rows):
        """Rows committed in this process, claimed for us: post them."""
        with self._cond:
            if self._stopping:
                self._outcomes.append((claim_id, None, None, None))
            else:
                self._ready.append((claim_id, list(rows)))
            self._cond.notify_all()

    def poll_now(self):
        with self._cond:
            self._poll_at = 0.0
            self._cond.notify_all()

    def _idle(self):
        return not (self._ready or self._posting or self._outcomes
                    or self._settling or self._claiming)

    def wait_idle(self, timeout=10.0):
        """Claim what is due now, post and settle it; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            polls = self._polls
        self.poll_now()
        with self._cond:
            while self._polls <= polls or not self._idle():
                left = deadline - time.monotonic()
                if left <= 0 or self._stopping:
                    return False
                self._cond.wait(min(left, 0.05))
        return True

    def stop(self, flush=0.0, timeout=10.0):
        """Stop; ``flush`` seconds to send what is waiting first. What is
        not sent stays in the table, released."""
        outbox_db.unsubscribe(self)
        if flush and self._threads:
            deadline = time.monotonic() + flush
            with self._cond:
                while not self._idle() and time.monotonic() < deadline:
                    self._cond.wait(0.05)
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(timeout)
        self._threads = []
        with self._cond:
            unsent = [claim_id for claim_id, _ in self._ready]
            self._ready.clear()
            outcomes, self._outcomes = self._outcomes, []
        release = unsent + [o[0] for o in outcomes if o[1] is None]
        try:
            outcomes = [o for o in outcomes if o[1] is not None]
            if outcomes:
                bind_db.run(self.context, outbox_db.settle, outcomes)
            if release:
                bind_db.run(self.context, outbox_db.release, release)
        except Exception:  # noqa: BLE001 - the leases expire anyway
            LOG.exception('Nova event outbox: could not record the last '
                          'outcomes at stop')

    # -- posting --------------------------------------------------------

    def _take(self):
        """Up to a batch of waiting claims (at least one); None at stop."""
        with self._cond:
            while not self._ready and not self._stopping:
                self._cond.wait()
            if self._stopping:
                return None
            taken, size = [], 0
            while self._ready and (not taken or size + len(
                    self._ready[0][1]) <= self.batch_size):
                claim = self._ready.popleft()
                taken.append(claim)
                size += len(claim[1])
            self._posting += 1
            return taken

    def _post_loop(self):
        while True:
            claims = self._take()
            if claims is None:
                return
            try:
                self._post(claims)
            except Exception:  # noqa: BLE001 - the thread must survive
                LOG.exception('Nova event outbox: unexpected error')
            finally:
                with self._cond:
                    self._posting -= 1
                    self._cond.notify_all()

    def _get_client(self):
        if self._client is None:
            self._client = self._client_factory()
        return self._client

    def _post(self, claims):
        rows = [r for _, claim_rows in claims for r in claim_rows]
        events = [nova.event(r.server_uuid, r.arq_uuid, r.status)
                  for r in rows]
        try:
            client = self._get_client()
        except Exception as exc:  # noqa: BLE001 - bad config: retry later
            return self._record(claims, {r.arq_uuid for r in rows},
                                'cannot build the Nova client: %s' % exc)
        if not client.enabled:
            LOG.warning('Nova is not configured ([nova]): dropping events '
                        '%s', [e['tag'] for e in events])
            self._count(dropped=len(rows))
            return self._record(claims, set(), None, delivered=False)
        self._count(posts=1)
        try:
            client.send_events(events)
            return self._record(claims, set(), None)
        except nova.Retry as retry:
            again = {e['tag'] for e in retry.events}
            reason = str(retry)
        except Exception as exc:  # noqa: BLE001 - keep the rows
            again = {r.arq_uuid for r in rows}
            reason = 'unexpected error: %s' % exc
        self._count(failed_posts=1)
        self._record(claims, again, reason)

    def _record(self, claims, again, reason, delivered=True):
        """Queue the outcome of each claim for the settle thread."""
        now = timeutils.utcnow()
        outcomes, retry_in, gave_up, sent = [], [], [], 0
        for claim_id, rows in claims:
            done, later = set(), {}
            for row in rows:
                if row.arq_uuid not in again:
                    done.add(row.arq_uuid)
                    sent += 1
                elif (now - row.created_at).total_seconds() >= self.max_age:
                    done.add(row.arq_uuid)
                    gave_up.append(row)
                else:
                    later[row.arq_uuid] = self.delay(row.attempts)
            outcomes.append((claim_id, done, later, reason))
            retry_in += later.values()
        if gave_up:
            LOG.error('Giving up on Nova events %s after %d attempt(s): %s',
                      [r.arq_uuid for r in gave_up],
                      max(r.attempts for r in gave_up) + 1, reason)
        if retry_in:
            LOG.warning('Nova events %s not delivered (%s); next attempt '
                        'in %.1f s or later', sorted(again), reason,
                        min(retry_in))
        self._count(delivered=sent if delivered else 0,
                    dropped=len(gave_up))
        with self._cond:
            self._outcomes.extend(outcomes)
            if retry_in:
                self._poll_at = min(self._poll_at,
                                    time.monotonic() + min(retry_in))
            self._cond.notify_all()

    def delay(self, attempts):
        """Seconds before attempt ``attempts + 2`` of an event."""
        return min(self.first_delay * 2 ** attempts, self.max_delay)

    # -- settling -------------------------------------------------------

    def _settle_loop(self):
        while True:
            with self._cond:
                while not self._outcomes and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return          # stop() records what is left
                outcomes, self._outcomes = self._outcomes, []
                self._settling = True
            try:
                bind_db.run(self.context, outbox_db.settle, outcomes)
            except Exception:  # noqa: BLE001 - the leases expire anyway
                LOG.exception('Nova event outbox: could not record the '
                              'outcome of claims %s',
                              [o[0] for o in outcomes])
            finally:
                with self._cond:
                    self._settling = False
                    self._cond.notify_all()

    # -- polling --------------------------------------------------------

    def _poll_loop(self):
        while True:
            with self._cond:
                while not self._stopping:
                    left = self._poll_at - time.monotonic()
                    if left <= 0:
                        break
                    self._cond.wait(left)
                if self._stopping:
                    return
                self._poll_at = time.monotonic() + self.poll_interval
                self._claiming = True
            try:
                self._claim_due()
            except Exception:  # noqa: BLE001 - next poll
                LOG.exception('Nova event outbox: cannot claim events; '
                              'trying again in %.1f s', self.poll_interval)
            finally:
                with self._cond:
                    self._claiming = False
                    self._polls += 1
                    self._cond.notify_all()

    def _claim_due(self):
        """Claim due rows, a batch at a time, while the post threads
        keep up."""
        while not self._stopping:
            claim_id, rows = bind_db.run(self.context, outbox_db.claim,
                                         self.host, self.lease,
                                         self.batch_size)
            if not rows:
                return
            with self._cond:
                self._ready.append((claim_id, rows))
                self._cond.notify_all()
                while len(self._ready) > self.workers and \
                        not self._stopping:
                    self._cond.wait(0.1)
            if len(rows) < self.batch_size:
                return

    def _count(self, **counts):
        with self._cond:
            for name, n in counts.items():
                setattr(self, name, getattr(self, name) + n)
