"""Server side of the conductor RPC API: delegates only.

The work lives in ``bind/flow.py`` (bind and its background jobs),
``bind/unbind.py`` (unbind and delete), ``inventory/report.py`` (agent
reports) and ``devices.py`` (device and deployable actions).
Exceptions of cyborg's own module are expected: they travel back to the
caller and are not logged as tracebacks here.
"""
import oslo_messaging as messaging

from cyborg.common import exception
from cyborg.conductor import devices
from cyborg.conductor import rpcapi
from cyborg.conductor.bind import flow as bind
from cyborg.conductor.bind import unbind as bind_unbind
from cyborg.conductor.inventory import report as inventory


class ConductorManager:
    target = messaging.Target(version=rpcapi.RPC_API_VERSION)

    def __init__(self, host=None):
        self.host = host

    def ping(self, context):
        return 'pong'

    @messaging.expected_exceptions(exception.CyborgException)
    def arq_delete_by_uuid(self, context, arq_uuids):
        return bind_unbind.delete_by_uuids(context, arq_uuids)

    @messaging.expected_exceptions(exception.CyborgException)
    def arq_delete_by_instance_uuid(self, context, instance_uuid):
        return bind_unbind.delete_by_instance(context, instance_uuid)

    @messaging.expected_exceptions(exception.CyborgException)
    def arq_apply_patch(self, context, patch, valid_fields):
        return bind.apply_patch(context, patch, valid_fields)

    @messaging.expected_exceptions(exception.CyborgException)
    def report_data(self, context, hostname, driver_device_list):
        return inventory.report_data(context, hostname, driver_device_list)

    @messaging.expected_exceptions(exception.CyborgException)
    def device_set_enabled(self, context, device_uuid, enabled):
        return devices.set_enabled(context, device_uuid, enabled)

    @messaging.expected_exceptions(exception.CyborgException)
    def deployable_program(self, context, deployable_uuid, image_uuid):
        return devices.program(context, deployable_uuid, image_uuid)
