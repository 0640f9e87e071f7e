"""Versioned notifications, following Nova's conventions.

Every notification is a :class:`~cyborg.notifications.base.NotificationBase`
(oslo.versionedobjects) with a ``priority`` (INFO, or ERROR for a failed
action), an ``event_type`` ``<object>.<action>[.<phase>]`` (e.g.
``accelerator_request.bind.end``), a ``publisher`` (``<binary>:<host>``,
e.g. ``cyborg-conductor:compute-01``) and a versioned ``payload``
(``payloads.py``). On the bus the payload is the object's primitive
(``cyborg_object.name``, ``.version``, ``.namespace``, ``.data``).

They are sent only when ``[oslo_messaging_notifications] driver`` is set,
to ``[notifications] versioned_notifications_topics``, always *after* the
state change they describe has been committed, by one background sender
per process (``notifier.py``), so a slow or unreachable message bus
neither fails nor delays an operation.

The code that changes state calls one function of ``events.py`` at each
commit point (a one-line hook); everything else lives here. The payload
reference, ``doc/source/admin/notifications.rst``, is generated from the
payload classes (``python -m cyborg.notifications.docgen``; a test keeps it
current).
"""
