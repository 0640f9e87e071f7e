"""Notification objects: event type, publisher, envelope, fault.

The payload classes (``payloads.py``) and the notification classes are
oslo.versionedobjects in their own registry, namespace ``cyborg``. Bump a
class's ``VERSION`` when its fields change (minor: a field added; major:
a field removed or its meaning changed); the fingerprint test in
``cyborg/tests/unit/notifications`` fails until you do.
"""
from oslo_versionedobjects import base as ovo_base
from oslo_versionedobjects import fields

INFO = 'info'
ERROR = 'error'


class NotificationRegistry(ovo_base.VersionedObjectRegistry):
    """The registry of cyborg's notification objects (not RPC objects)."""


def register(cls):
    return NotificationRegistry.register(cls)


class NotificationObject(ovo_base.VersionedObject,
                         ovo_base.ComparableVersionedObject):
    OBJ_PROJECT_NAMESPACE = 'cyborg'
    OBJ_SERIAL_NAMESPACE = 'cyborg_object'


class NotificationPayloadBase(NotificationObject):
    """A payload: ``SCHEMA`` maps each field to the key of the plain
    mapping it is filled from (``from_mapping``)."""

    SCHEMA = {}

    @classmethod
    def from_mapping(cls, data, **extra):
        values = {field: data.get(key) for field, key in cls.SCHEMA.items()}
        values.update(extra)
        return cls(**{k: v for k, v in values.items() if k in cls.fields})


@register
class EventType(NotificationObject):
    # Version 1.0: object, action, phase
    VERSION = '1.0'

    fields = {
        'object': fields.StringField(),
        'action': fields.StringField(),
        'phase': fields.StringField(nullable=True),
    }

    def to_event_type_field(self):
        parts = [self.object, self.action]
        if self.obj_attr_is_set('phase') and self.phase:
            parts.append(self.phase)
        return '.'.join(parts)


@register
class NotificationPublisher(NotificationObject):
    # Version 1.0: host, source (the binary, e.g. cyborg-conductor)
    VERSION = '1.0'

    fields = {
        'host': fields.StringField(),
        'source': fields.StringField(),
    }

    @property
    def publisher_id(self):
        return '%s:%s' % (self.source, self.host)


@register
class ExceptionPayload(NotificationPayloadBase):
    """Why an action failed (``fault`` of an error notification)."""

    # Version 1.0: exception, exception_message
    VERSION = '1.0'

    fields = {
        'exception': fields.StringField(),
        'exception_message': fields.StringField(),
    }

    @classmethod
    def from_exception(cls, exc):
        if isinstance(exc, str):
            return cls(exception='Error', exception_message=exc)
        return cls(exception=type(exc).__name__,
                   exception_message=str(exc))


class NotificationBase(NotificationObject):
    """The envelope: priority, event type, publisher and payload.

    Subclasses declare ``payload`` as an ObjectField of their payload
    class; ``emit()`` is done by ``notifier.send``."""

    # Version 1.0: priority, event_type, publisher
    VERSION = '1.0'

    fields = {
        'priority': fields.StringField(),
        'event_type': fields.ObjectField('EventType'),
        'publisher': fields.ObjectField('NotificationPublisher'),
    }
