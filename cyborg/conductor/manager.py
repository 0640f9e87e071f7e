"""Server side of the conductor RPC API: delegates only.

The work lives in ``bind/flow.py`` (bind and its background jobs),
``bind/unbind.py`` (unbind and delete), ``inventory/report.py`` (agent
reports) and ``devices.py`` (device and deployable actions).

Every endpoint is wrapped by :func:`_endpoint`: exceptions of cyborg's own
module are expected (they travel back to the caller with their class and
are not logged as tracebacks here); anything else is a fault of ours,
logged here with its traceback and the request id, and answered as
``ConductorError``, which names only the error's class and the request
id, so that no traceback, path or SQL text travels to the API (and so to
a client).
"""
import functools
import logging

import oslo_messaging as messaging

from cyborg.common import exception
from cyborg.conductor import devices
from cyborg.conductor import rpcapi
from cyborg.conductor.bind import flow as bind
from cyborg.conductor.bind import unbind as bind_unbind
from cyborg.conductor.inventory import report as inventory

LOG = logging.getLogger(__name__)


def _endpoint(method):
    @messaging.expected_exceptions(exception.CyborgException)
    @functools.wraps(method)
    def wrapper(self, context, *args, **kwargs):
        try:
            return method(self, context, *args, **kwargs)
        except exception.CyborgException:
            raise
        except Exception as exc:
            request_id = getattr(context, 'request_id', None) or 'unknown'
            LOG.exception('Conductor %s failed (request %s)',
                          method.__name__, request_id)
            raise exception.ConductorError(
                reason=exception.describe(exc),
                request_id=request_id) from None
    return wrapper


class ConductorManager:
    target = messaging.Target(version=rpcapi.RPC_API_VERSION)

    def __init__(self, host=None):
        self.host = host

    def ping(self, context):
        return 'pong'

    @_endpoint
    def arq_delete_by_uuid(self, context, arq_uuids):
        return bind_unbind.delete_by_uuids(context, arq_uuids)

    @_endpoint
    def arq_delete_by_instance_uuid(self, context, instance_uuid):
        return bind_unbind.delete_by_instance(context, instance_uuid)

    @_endpoint
    def arq_apply_patch(self, context, patch, valid_fields):
        return bind.apply_patch(context, patch, valid_fields)

    @_endpoint
    def report_data(self, context, hostname, driver_device_list):
        return inventory.report_data(context, hostname, driver_device_list)

    @_endpoint
    def device_set_enabled(self, context, device_uuid, enabled):
        return devices.set_enabled(context, device_uuid, enabled)

    @_endpoint
    def deployable_program(self, context, deployable_uuid, image_uuid):
        return devices.program(context, deployable_uuid, image_uuid)
