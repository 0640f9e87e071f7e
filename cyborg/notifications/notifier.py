"""Sending: one oslo.messaging Notifier and one background sender.

``enabled()`` is true when ``[oslo_messaging_notifications] driver`` names
a driver (other than ``noop``). ``send(notification)`` queues the
notification and returns at once; a daemon thread sends queued
notifications in order. Nothing here raises into the caller: a failure to
build, queue or send is logged (and the notification dropped).
"""
import logging
import queue
import threading

import oslo_messaging as messaging
from oslo_messaging import opts as messaging_opts

from cyborg.common import rpc
from cyborg.conf import CONF

LOG = logging.getLogger(__name__)

_GROUP = 'oslo_messaging_notifications'
_lock = threading.Lock()
_state = {'notifier': None, 'queue': None, 'thread': None}


def _register():
    for group, opts in messaging_opts.list_opts():
        if group == _GROUP:
            CONF.register_opts(opts, group=group)


_register()


def enabled(conf=CONF):
    drivers = [d for d in conf.oslo_messaging_notifications.driver
               if d and d != 'noop']
    return bool(drivers)


class ContextSerializer(rpc.ContextSerializer):
    """The request context without its credentials: a notification is
    read by anyone who can listen on the bus."""

    SECRETS = ('auth_token', 'service_token', 'service_catalog')

    def serialize_context(self, context):
        if context is None:
            return {}
        values = super().serialize_context(context)
        return {k: v for k, v in values.items() if k not in self.SECRETS}


def _notifier():
    if _state['notifier'] is None:
        transport = messaging.get_notification_transport(CONF)
        _state['notifier'] = messaging.Notifier(
            transport, serializer=ContextSerializer(),
            topics=CONF.notifications.versioned_notifications_topics)
    return _state['notifier']


def _sender():
    work = _state['queue']
    while True:
        item = work.get()
        try:
            if item is None:
                return
            _deliver(*item)
        finally:
            work.task_done()


def _deliver(context, notification):
    try:
        notifier = _notifier().prepare(
            publisher_id=notification.publisher.publisher_id)
        method = getattr(notifier, notification.priority)
        method(context, notification.event_type.to_event_type_field(),
               notification.payload.obj_to_primitive())
    except Exception:  # noqa: BLE001 - never reaches an operation
        LOG.exception('Could not send notification %s',
                      notification.event_type.to_event_type_field())


def _queue():
    with _lock:
        if _state['thread'] is None or not _state['thread'].is_alive():
            _state['queue'] = queue.Queue(
                maxsize=CONF.notifications.max_queued)
            _state['thread'] = threading.Thread(
                target=_sender, name='cyborg-notifier', daemon=True)
            _state['thread'].start()
        return _state['queue']


def send(context, notification):
    """Queue ``notification`` (sent by the background sender)."""
    try:
        _queue().put_nowait((context, notification))
    except queue.Full:
        LOG.warning('Notification queue full (%d): %s dropped',
                    CONF.notifications.max_queued,
                    notification.event_type.to_event_type_field())


def flush(timeout=10.0):
    """Wait until everything queued so far was handed to the driver
    (tests, service stop); True when done within ``timeout``."""
    work = _state['queue']
    if work is None:
        return True
    done = threading.Event()

    def waiter():
        work.join()
        done.set()
    threading.Thread(target=waiter, daemon=True).start()
    return done.wait(timeout)


def reset():
    """Stop the sender and forget the notifier (tests, config changes)."""
    with _lock:
        thread, work = _state['thread'], _state['queue']
        if thread is not None and thread.is_alive():
            work.put(None)
            thread.join(5)
        _state.update(notifier=None, queue=None, thread=None)
