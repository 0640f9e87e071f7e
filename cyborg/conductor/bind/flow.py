"""Bind (api.md §9.7, internals.md §5.4-§5.6) with our decisions.

A bind PATCH goes through three steps:

1. **reserve** (``bind_db.reserve``, one transaction): the instance has no
   ARQs yet, every ARQ exists and is ``Initial``/``Unbound`` (else 409,
   Q12), every provider is a known deployable of an enabled device, and
   one free attach handle per ARQ is claimed with a conditional UPDATE.
   The ARQs move to ``BindStarted`` holding their handles. Any refusal
   rolls the whole transaction back: the PATCH fails and nothing changed
   (Q13). A refusal caused by the device (disabled, no free handle) is
   noted in the ARQs' ``state_reason``.
2. **prepare** (no transaction open): the agent that owns each device
   (``agents`` table, D3.1) creates the mediated device of an MDEV handle
   and programs an FPGA whose profile group names ``accel:bitstream_id``
   or ``accel:function_id`` (``programming.py``: Glance lookup, agent,
   function trait in Placement).
3. **resolve** (one transaction): every ARQ -> ``Bound``; or, when step 2
   failed, every ARQ of the PATCH gives its handle back.

*Instant* binds (no programming) run all three steps inside the PATCH;
a failure in step 2 puts the ARQs back where they were and the PATCH
fails (Q13). Nova learns of an instant failure only from the PATCH error:
a ``failed`` event would arrive before the server has a host, be answered
422, and Nova would then take the ``BindFailed`` ARQ as resolved and boot
without the device.

*Programming* binds return 202 after step 1; steps 2-3 run in a worker
thread (``[DEFAULT] thread_pool_size``) while the ARQs stay
``BindStarted`` (``?bind_state=resolved`` answers 423). They end all
``Bound`` or all ``BindFailed`` with ``state_reason``; ``deadlines.py``
fails them if they overrun ``[DEFAULT] bind_timeout`` or their conductor
died.

The transaction that resolves an ARQ (``Bound``, or ``BindFailed`` for a
programming bind) also writes its ``accelerator-request-bound`` event to
the outbox (``db/queries/outbox.py``); the conductors' senders
(``cluster/outbox.py``) deliver it once committed, so a Nova that is slow
or down never fails nor delays a bind (D3.10), and an event outlives the
conductor that wrote it.
"""
import concurrent.futures
import logging
import threading

from cyborg.common import exception
from cyborg.conductor.bind import agent as bind_agent
from cyborg.conductor.bind import programming as bind_programming
from cyborg.conductor.bind import unbind as bind_unbind
from cyborg.conf import CONF
from cyborg.db.queries import binding as bind_db
from cyborg.notifications import events as notifications

LOG = logging.getLogger(__name__)

_pool = None
_pool_lock = threading.Lock()
_jobs = set()


def _executor():
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = concurrent.futures.ThreadPoolExecutor(
                max_workers=CONF.thread_pool_size,
                thread_name_prefix='bind-job')
        return _pool


def running_jobs():
    """Futures of programming binds still running in this process."""
    with _pool_lock:
        return [f for f in _jobs if not f.done()]


def wait_jobs(timeout=None):
    """Wait for this process's programming binds (tests, shutdown)."""
    done, pending = concurrent.futures.wait(running_jobs(), timeout=timeout)
    return not pending


def apply_patch(context, patch, valid_fields):
    """Entry point of ``arq_apply_patch``: each entry by its own first
    op. Remove-entries are unbound first, then add-entries are bound as
    one all-or-nothing bind. The PATCH is all or nothing (Q13): when an
    unbind or the bind fails (a refusal, or a failed instant preparation),
    the unbinds it made are undone before the error goes back. A
    background programming failure comes after the 202 that told the
    client its unbinds were done: it fails the binds only, and the
    unbinds stay (the client may have deleted or rebound those ARQs
    since; documented in the API reference)."""
    removes = [u for u, ops in patch.items() if ops[0]['op'] == 'remove']
    adds = [(u, valid_fields[u]) for u, ops in patch.items()
            if ops[0]['op'] == 'add']
    undos = []
    try:
        if removes:
            bind_unbind.unbind(context, removes, done=undos)
        if adds:
            bind(context, adds)
    except Exception:
        if undos:
            bind_unbind.restore(context, undos)
        raise


def bind(context, entries):
    """Bind ``[(arq uuid, fields)]``; see the module docstring."""
    try:
        works = bind_db.run(context, bind_db.reserve, entries, CONF.host)
    except (exception.DeviceDisabled,
            exception.AttachHandleNotFound) as exc:
        _note_refusal(context, [u for u, _ in entries], exc)
        notifications.arq_bind_error(context, [u for u, _ in entries], exc)
        raise
    notifications.arq_bind_start(context, works)
    if any(w.programs for w in works):
        LOG.info('Binding %s in the background (FPGA programming)',
                 [w.uuid for w in works])
        future = _executor().submit(_job, context, works)
        with _pool_lock:
            _jobs.add(future)
        future.add_done_callback(_forget)
        return
    _instant(context, works)


def _unexpected(exc):
    """``exc`` for a log's exc_info when it is not one of our errors."""
    return None if isinstance(exc, exception.CyborgException) else exc


def _forget(future):
    with _pool_lock:
        _jobs.discard(future)


def _note_refusal(context, uuids, exc):
    try:
        bind_db.run(context, bind_db.note_refusal, uuids,
                    'bind refused: %s' % exc)
    except Exception:  # noqa: BLE001 - the refusal itself matters more
        LOG.exception('Could not record why the bind of %s was refused',
                      uuids)


def _instant(context, works):
    try:
        created = _prepare(context, works)
    except Exception as exc:
        reason = 'preparing the device failed: %s' % exception.describe(exc)
        bind_db.resolve(context, works, reason, restore=True)
        LOG.warning('Bind of %s failed, rolled back (request %s): %s',
                    [w.uuid for w in works], context.request_id, reason,
                    exc_info=_unexpected(exc))
        notifications.arq_bind_error(context, works, exc)
        if isinstance(exc, exception.CyborgException):
            raise
        raise exception.BindPreparationFailed(
            arqs=','.join(w.uuid for w in works),
            reason=exception.describe(exc))
    bound, _ = bind_db.resolve(context, works,
                               restore=True)
    if not bound:
        _undo_mdevs(context, created)
        notifications.arq_bind_error(context, works, 'an ARQ changed')
        raise exception.ARQChangedDuringBind(
            arqs=','.join(w.uuid for w in works))
    LOG.info('Bound %s', [w.uuid for w in works])
    notifications.arq_bind_end(context, works)


def _job(context, works):
    """Steps 2-3 of a programming bind, in a worker thread."""
    created, reason = [], None
    try:
        created = _prepare(context, works)
    except Exception as exc:  # noqa: BLE001 - becomes BindFailed
        reason = 'preparing the device failed: %s' % exception.describe(exc)
        LOG.warning('Background bind of %s failed (request %s): %s',
                    [w.uuid for w in works], context.request_id, reason,
                    exc_info=_unexpected(exc))
    try:
        bound, _ = bind_db.resolve(context, works, reason)
        if not bound and reason is None:
            _undo_mdevs(context, created)
        LOG.info('Background bind of %s: %s', [w.uuid for w in works],
                 'Bound' if bound else 'BindFailed (%s)' % reason)
        notifications.arq_bind_resolved(context, works, bound, reason)
    except Exception:  # noqa: BLE001 - deadlines.py will fail them
        LOG.exception('Could not resolve the bind of %s',
                      [w.uuid for w in works])


def _prepare(context, works):
    """Program FPGAs, create mdevs; returns the works whose mdev was
    created. On failure, mdevs created so far are removed again."""
    created, programmed = [], set()
    try:
        for work in works:
            if work.programs and work.deployable_id not in programmed:
                bind_programming.program(context, work)
                programmed.add(work.deployable_id)
            if work.attach_type == bind_agent.MDEV:
                bind_agent.create_mdev(context, work.to_dict())
                created.append(work)
    except Exception:
        _undo_mdevs(context, created)
        raise
    return created


def _undo_mdevs(context, works):
    for work in works:
        try:
            bind_agent.remove_mdev(context, work.device_hostname,
                                   work.attach_info, work.handle_uuid)
        except Exception as exc:  # noqa: BLE001 - best effort
            LOG.warning('Could not remove mdev %s after a failed bind: %s',
                        work.handle_uuid, exc)
