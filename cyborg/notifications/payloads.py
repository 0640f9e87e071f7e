"""Payloads and notification classes (the reference documentation,
``doc/source/admin/notifications.rst``, is generated from this module).

Each payload documents its fields in ``FIELD_DOCS``; each notification
class lists the event types it is sent with in ``EVENTS`` as
``(event_type, priority, when)``.
"""
from oslo_versionedobjects import fields

from cyborg.notifications import base


@base.register
class AcceleratorRequestPayload(base.NotificationPayloadBase):
    # Version 1.0: initial version
    VERSION = '1.0'

    SCHEMA = {k: k for k in (
        'uuid', 'state', 'device_profile_name', 'device_profile_group_id',
        'hostname', 'device_rp_uuid', 'instance_uuid', 'project_id',
        'attach_handle_type', 'attach_handle_uuid', 'state_reason')}
    fields = {
        'uuid': fields.UUIDField(),
        'state': fields.StringField(),
        'device_profile_name': fields.StringField(nullable=True),
        'device_profile_group_id': fields.IntegerField(nullable=True),
        'hostname': fields.StringField(nullable=True),
        'device_rp_uuid': fields.StringField(nullable=True),
        'instance_uuid': fields.StringField(nullable=True),
        'project_id': fields.StringField(nullable=True),
        'attach_handle_type': fields.StringField(nullable=True),
        'attach_handle_uuid': fields.StringField(nullable=True),
        'state_reason': fields.StringField(nullable=True),
        'fault': fields.ObjectField('ExceptionPayload', nullable=True),
    }
    FIELD_DOCS = {
        'uuid': 'The ARQ.',
        'state': 'Its state once the action committed (``Deleted`` after '
                 'a delete).',
        'device_profile_name': 'The device profile it was created from.',
        'device_profile_group_id': 'The request group of that profile.',
        'hostname': 'Compute node it is bound to (or being bound to).',
        'device_rp_uuid': 'Device resource provider it is bound to.',
        'instance_uuid': 'Instance it is bound to.',
        'project_id': 'Project that owns it.',
        'attach_handle_type': '``PCI``/``MDEV``... of the handle it holds.',
        'attach_handle_uuid': 'The attach handle it holds.',
        'state_reason': 'Why the last bind, unbind or delete failed.',
        'fault': 'On ``.error`` events: the exception that caused it.',
    }


@base.register
class DeviceProfilePayload(base.NotificationPayloadBase):
    # Version 1.0: initial version
    VERSION = '1.0'

    SCHEMA = {k: k for k in ('uuid', 'name', 'description', 'groups')}
    fields = {
        'uuid': fields.UUIDField(),
        'name': fields.StringField(),
        'description': fields.StringField(nullable=True),
        'groups': fields.ListOfDictOfNullableStringsField(),
    }
    FIELD_DOCS = {
        'uuid': 'The device profile.',
        'name': 'Its unique name.',
        'description': 'Free text.',
        'groups': 'Its request groups (``resources:<RC>``, ``trait:<T>``, '
                  '``accel:*`` keys).',
    }


@base.register
class DevicePayload(base.NotificationPayloadBase):
    # Version 1.0: initial version
    VERSION = '1.0'

    SCHEMA = {k: k for k in ('uuid', 'type', 'vendor', 'model',
                             'std_board_info', 'vendor_board_info',
                             'hostname', 'status')}
    fields = {
        'uuid': fields.UUIDField(),
        'type': fields.StringField(),
        'vendor': fields.StringField(),
        'model': fields.StringField(),
        'std_board_info': fields.StringField(nullable=True),
        'vendor_board_info': fields.StringField(nullable=True),
        'hostname': fields.StringField(),
        'status': fields.StringField(),
    }
    FIELD_DOCS = {
        'uuid': 'The device.',
        'type': '``GPU``, ``FPGA``, ``AICHIP``, ``QAT``, ``NIC``, ``SSD``...',
        'vendor': 'PCI vendor id.',
        'model': 'Model name.',
        'std_board_info': 'Standard board information (JSON text).',
        'vendor_board_info': 'Vendor board information.',
        'hostname': 'Compute node the device is in.',
        'status': '``enabled`` or ``maintaining`` (disabled).',
    }


@base.register
class DeployablePayload(base.NotificationPayloadBase):
    # Version 1.0: initial version
    VERSION = '1.0'

    SCHEMA = {k: k for k in ('uuid', 'name', 'num_accelerators',
                             'device_uuid', 'rp_uuid', 'driver_name',
                             'bitstream_id')}
    fields = {
        'uuid': fields.UUIDField(),
        'name': fields.StringField(),
        'num_accelerators': fields.IntegerField(),
        'device_uuid': fields.UUIDField(),
        'rp_uuid': fields.StringField(nullable=True),
        'driver_name': fields.StringField(nullable=True),
        'bitstream_id': fields.StringField(nullable=True),
    }
    FIELD_DOCS = {
        'uuid': 'The deployable.',
        'name': 'Its name (also its resource provider\'s name).',
        'num_accelerators': 'Accelerators it offers (its inventory).',
        'device_uuid': 'The device it belongs to.',
        'rp_uuid': 'Its resource provider, once created in Placement.',
        'driver_name': 'Driver that reported it.',
        'bitstream_id': 'Bitstream programmed into it, if any.',
    }


def _notification(payload_class):
    return {'payload': fields.ObjectField(payload_class)}


@base.register
class AcceleratorRequestNotification(base.NotificationBase):
    # Version 1.0: initial version
    VERSION = '1.0'
    fields = _notification('AcceleratorRequestPayload')
    EVENTS = [
        ('accelerator_request.create', 'INFO',
         'ARQs created from a device profile (one per ARQ).'),
        ('accelerator_request.bind.start', 'INFO',
         'The ARQs of a bind claimed their attach handles (BindStarted).'),
        ('accelerator_request.bind.end', 'INFO', 'An ARQ is Bound.'),
        ('accelerator_request.bind.error', 'ERROR',
         'A bind failed: the ARQ is BindFailed (also when it overran '
         '``bind_timeout``), or back where it was when the whole bind was '
         'refused or rolled back; ``fault`` says why.'),
        ('accelerator_request.unbind.end', 'INFO', 'An ARQ is Unbound.'),
        ('accelerator_request.unbind.error', 'ERROR',
         'An unbind failed: the ARQ is UnbindFailed.'),
        ('accelerator_request.delete.end', 'INFO', 'An ARQ was deleted.'),
    ]


@base.register
class DeviceProfileNotification(base.NotificationBase):
    # Version 1.0: initial version
    VERSION = '1.0'
    fields = _notification('DeviceProfilePayload')
    EVENTS = [
        ('device_profile.create', 'INFO', 'A device profile was created.'),
        ('device_profile.delete', 'INFO', 'A device profile was deleted.'),
    ]


@base.register
class DeviceNotification(base.NotificationBase):
    # Version 1.0: initial version
    VERSION = '1.0'
    fields = _notification('DevicePayload')
    EVENTS = [
        ('device.create', 'INFO', 'An agent report added the device.'),
        ('device.update', 'INFO', 'An agent report changed the device.'),
        ('device.delete', 'INFO', 'An agent report removed the device.'),
        ('device.enable', 'INFO', 'The device was enabled.'),
        ('device.disable', 'INFO',
         'The device was disabled (``maintaining``).'),
    ]


@base.register
class DeployableNotification(base.NotificationBase):
    # Version 1.0: initial version
    VERSION = '1.0'
    fields = _notification('DeployablePayload')
    EVENTS = [
        ('deployable.create', 'INFO', 'An agent report added it.'),
        ('deployable.update', 'INFO', 'An agent report changed it.'),
        ('deployable.delete', 'INFO', 'An agent report removed it.'),
    ]


PAYLOADS = [AcceleratorRequestPayload, DeviceProfilePayload, DevicePayload,
            DeployablePayload, base.ExceptionPayload]
NOTIFICATIONS = [AcceleratorRequestNotification, DeviceProfileNotification,
                 DeviceNotification, DeployableNotification]
