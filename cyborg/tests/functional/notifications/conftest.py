"""The bind tests' in-process service, plus a notification listener on
the real RabbitMQ with a per-test exchange and topic."""
import threading
import uuid

import oslo_messaging as messaging
import pytest

from cyborg.conf import CONF
from cyborg.notifications import notifier
from cyborg.tests.fixtures import servers
from cyborg.tests.functional import test_rabbit_multiprocess as rabbit
from cyborg.tests.functional.bind.conftest import agent  # noqa: F401
from cyborg.tests.functional.bind.conftest import client  # noqa: F401
from cyborg.tests.functional.bind.conftest import service  # noqa: F401


class Recorder:
    """Endpoint of the listener: every notification, in arrival order."""

    def __init__(self):
        self.received = []
        self.cond = threading.Condition()

    def _record(self, priority, ctxt, publisher_id, event_type, payload,
                metadata):
        with self.cond:
            self.received.append({
                'priority': priority, 'publisher_id': publisher_id,
                'context': ctxt,
                'event_type': event_type, 'payload': payload,
                'timestamp': metadata.get('timestamp')})
            self.cond.notify_all()

    def info(self, *args):
        self._record('INFO', *args)

    def error(self, *args):
        self._record('ERROR', *args)

    def wait_for(self, count, timeout=20.0):
        """The first ``count`` notifications in the order they were sent
        (info and error arrive on different queues)."""
        with self.cond:
            self.cond.wait_for(lambda: len(self.received) >= count,
                               timeout)
            got = sorted(self.received, key=lambda n: n['timestamp'])
        assert len(got) >= count, [n['event_type'] for n in got]
        return got

    def clear(self):
        with self.cond:
            self.received.clear()


@pytest.fixture
def listener():
    """Notifications on; a listener on RabbitMQ (unique exchange+topic)."""
    servers.require('rabbitmq')
    tag = uuid.uuid4().hex[:10]
    exchange, topic = 'cyborg-notify-' + tag, 'versioned-' + tag
    group = 'oslo_messaging_notifications'
    overrides = [('driver', ['messagingv2'], group),
                 ('transport_url', rabbit.RABBIT_URL, group),
                 ('versioned_notifications_topics', [topic],
                  'notifications')]
    for name, value, grp in overrides:
        CONF.set_override(name, value, group=grp)
    CONF.set_override('control_exchange', exchange)
    notifier.reset()
    transport = messaging.get_notification_transport(CONF)
    recorder = Recorder()
    server = messaging.get_notification_listener(
        transport, [messaging.Target(topic=topic, exchange=exchange)],
        [recorder], executor='threading')
    server.start()
    try:
        yield recorder
    finally:
        notifier.flush(10)
        server.stop()
        server.wait()
        transport.cleanup()
        notifier.reset()
        for name, _value, grp in overrides:
            CONF.clear_override(name, group=grp)
        CONF.clear_override('control_exchange')


from cyborg.tests.fixtures.database import database  # noqa: F401,E402
from cyborg.tests.fixtures.placement import placement  # noqa: F401,E402
