"""Domain errors. Each knows its HTTP status and message template.

The API's one error formatter (``cyborg.api.expose``) turns any
``CyborgException`` into the contract's error body; anything else becomes a
500 whose faultstring names the cause without a traceback.
"""
from http import HTTPStatus
import logging

from cyborg.conf import CONF

LOG = logging.getLogger(__name__)


class CyborgException(Exception):
    msg_fmt = 'An unknown exception occurred.'
    code = HTTPStatus.INTERNAL_SERVER_ERROR
    headers = {}
    # A client's mistake answered with a 5xx only because the upstream
    # Tempest plugin asserts that status (decisions Q3, Q4): logged as
    # the client's mistake it is, without a traceback.
    client_fault = False

    def __init__(self, message=None, **kwargs):
        self.kwargs = kwargs
        if not message:
            try:
                message = self.msg_fmt % kwargs
            except (KeyError, TypeError, ValueError):
                LOG.exception('Exception in string format operation: %s',
                              kwargs)
                if CONF.fatal_exception_format_errors:
                    raise
                message = self.msg_fmt
        self.message = str(message)
        super().__init__(self.message)

    def __str__(self):
        return self.message


# 400
class Invalid(CyborgException):
    msg_fmt = 'Invalid parameters.'
    code = HTTPStatus.BAD_REQUEST


class InvalidParameterValue(Invalid):
    msg_fmt = '%(err)s'


class InvalidJsonBody(Invalid):
    msg_fmt = 'Request is not in valid JSON format'


class MissingArgument(Invalid):
    msg_fmt = 'Missing argument: "%(name)s"'


class UnknownArgument(Invalid):
    msg_fmt = 'Unknown argument: "%(name)s"'


class InvalidUUID(Invalid):
    msg_fmt = 'Expected a uuid but received %(uuid)s.'


class InvalidFieldUUID(Invalid):
    msg_fmt = ("Invalid input for field/attribute %(field)s. Value: "
               "'%(value)s'. unable to convert to uuid. Error: Expected a "
               "uuid but received %(value)s.")


class PatchError(Invalid):
    msg_fmt = "Couldn't apply patch. Reason: %(reason)s"


class PatchValueMissing(Invalid):
    msg_fmt = "'add' and 'replace' operations need a value"


class InvalidDeviceProfile(Invalid):
    msg_fmt = '%(err)s'


class BindStateUnsupported(Invalid):
    """Q9: upstream's 500 text, answered 400."""
    msg_fmt = ("Bad state: %(state)s for ARQ: None. Expected state(s): "
               "['resolved']")


class ARQDeviceProfileNameRequired(Invalid):
    """Q8: ARQ create without ``device_profile_name`` (400, not 500)."""
    msg_fmt = 'DeviceProfile name needed.'


class ARQDeleteArguments(Invalid):
    """Q11: ARQ delete with both, neither or an empty parameter."""
    msg_fmt = ('Object action delete failed because: Provide either an ARQ '
               'uuid list or an instance UUID')


class RequestEntityTooLarge(CyborgException):
    msg_fmt = 'Request is too large.'
    code = HTTPStatus.REQUEST_ENTITY_TOO_LARGE


# 403
class Forbidden(CyborgException):
    msg_fmt = 'Forbidden'
    code = HTTPStatus.FORBIDDEN


class PolicyNotAuthorized(Forbidden):
    msg_fmt = 'Access was denied to the following resource: %(action)s'


class ServiceTokenRequired(Forbidden):
    msg_fmt = ('This operation requires a service token. Use the Compute '
               'API to manage instance accelerators.')


class ARQBoundToInstance(Forbidden):
    msg_fmt = ('ARQ %(arq)s is bound to instance %(instance)s. Use the '
               'Compute API to manage instance accelerators.')


# 404
class NotFound(CyborgException):
    msg_fmt = 'Resource could not be found.'
    code = HTTPStatus.NOT_FOUND


class ResourceNotFound(NotFound):
    msg_fmt = '%(resource)s not found with %(msg)s'


class ExtArqNotFound(NotFound):
    msg_fmt = 'ExtArq not found with uuid=%(uuid)s'


class DeviceProfileNotFound(NotFound):
    msg_fmt = 'Device Profile not found with %(key)s=%(value)s'


class DeviceNotFound(NotFound):
    msg_fmt = 'Device not found with uuid=%(uuid)s'


class DeployableNotFound(NotFound):
    msg_fmt = 'Deployable not found with %(key)s=%(value)s'


class AttributeNotFound(NotFound):
    msg_fmt = 'Attribute not found with %(msg)s'


class AttachHandleNotFound(NotFound):
    msg_fmt = 'AttachHandle not found Matching deployable_id %(deployable_id)s'


# 406
class NotAcceptable(CyborgException):
    msg_fmt = 'Request not acceptable.'
    code = HTTPStatus.NOT_ACCEPTABLE


class MicroversionRequired(NotAcceptable):
    msg_fmt = ('Request not acceptable. The minimal required API version '
               'should be %(version)s')


# 409
class Conflict(CyborgException):
    msg_fmt = 'Conflict.'
    code = HTTPStatus.CONFLICT


class DuplicateDeviceProfileName(Conflict):
    msg_fmt = 'A device_profile with name %(name)s already exists.'


class DeviceProfileInUse(Conflict):
    msg_fmt = ('Device profile %(name)s is used by accelerator requests and '
               'cannot be deleted.')


class ARQInvalidState(Conflict):
    msg_fmt = ('Bad state: %(state)s for ARQ: %(uuid)s. Expected state(s): '
               '%(expected)s')


class ARQChangedDuringBind(Conflict):
    """A concurrent unbind or delete won over a bind (issue 12): the
    client's race, not a fault."""
    msg_fmt = ('Bind of ARQ(s) %(arqs)s did not happen: an ARQ was '
               'unbound or deleted while it was being bound.')


# 415
class UnsupportedMediaType(CyborgException):
    msg_fmt = 'Unknown mimetype: %(mimetype)s'
    code = HTTPStatus.UNSUPPORTED_MEDIA_TYPE


# 423
class ARQsNotResolved(CyborgException):
    """423 with the quirky ``{"error_message": "null"}`` body (api.md §3.2)."""
    msg_fmt = 'Accelerator requests of instance %(instance)s are not resolved.'
    code = HTTPStatus.LOCKED


# 500 (reproduced upstream statuses, decisions.md D2)
class ServerError(CyborgException):
    msg_fmt = '%(err)s'


class DeviceProfileNameNeeded(ServerError):
    msg_fmt = 'DeviceProfile name needed.'
    client_fault = True


class DeviceProfileGroupsExpected(ServerError):
    msg_fmt = 'DeviceProfile needs groups field.'


class DeviceProfileAlreadyExists(ServerError):
    msg_fmt = 'DeviceProfile with uuid %(uuid)s already exists.'
    client_fault = True


class DeviceProfileNameTooLong(ServerError):
    msg_fmt = ('DeviceProfile name is longer than 255 characters and cannot '
               'be stored.')
    client_fault = True


class ARQBadState(ServerError):
    msg_fmt = ('Bad state: %(state)s for ARQ: %(uuid)s. Expected state(s): '
               '%(expected)s')


class ObjectActionError(ServerError):
    msg_fmt = 'Object action %(action)s failed because: %(reason)s'


class AttributeAlreadyExists(Conflict):
    """A supplied uuid already taken: upstream's 500, answered 409."""
    msg_fmt = 'Attribute with uuid %(uuid)s already exists.'


class FPGAProgramError(ServerError):
    msg_fmt = 'FPGA programming failed with return %(ret)s.'


class PlacementServerError(ServerError):
    msg_fmt = 'Placement Server has some error at this time.'


class PlacementResourceProviderNotFound(NotFound):
    msg_fmt = 'Placement resource provider not found %(resource_provider)s.'


class AgentUnavailable(ServerError):
    msg_fmt = 'The agent on host %(host)s did not answer.'


# -- binding (conductor/bind*.py, clients/nova.py, clients/glance.py) --
class DeviceDisabled(Conflict):
    msg_fmt = ('Device %(device)s is disabled (maintaining): cannot bind '
               'ARQ %(uuid)s.')


class AgentCallFailed(ServerError):
    msg_fmt = ('The agent on host %(host)s failed to %(action)s: '
               '%(reason)s (request %(request_id)s; the details are in the '
               'cyborg logs).')


class ConductorError(ServerError):
    msg_fmt = ('Internal error in the conductor: %(reason)s (request '
               '%(request_id)s; the details are in the cyborg logs).')


class BindPreparationFailed(ServerError):
    msg_fmt = 'Bind of ARQ(s) %(arqs)s failed: %(reason)s'


class UnbindFailed(ServerError):
    msg_fmt = 'Unbind of ARQ %(uuid)s failed: %(reason)s'


class ImageNotFound(NotFound):
    msg_fmt = 'Image %(image_id)s could not be found.'


class ImageNotAuthorized(Forbidden):
    msg_fmt = 'Not authorized for image %(image_id)s.'


class ImageUnacceptable(Invalid):
    msg_fmt = 'Image %(image_id)s is unacceptable: %(reason)s'


class ImageLookupFailed(ServerError):
    msg_fmt = ('Glance images with %(query)s: %(found)s (exactly one '
               'is needed).')


class ImageServiceError(ServerError):
    msg_fmt = 'Glance request for image %(image_id)s failed: %(reason)s'


class ServiceUserNotConfigured(ServerError):
    msg_fmt = ('[service_user] send_service_user_token is true but '
               '[service_user] names no auth_type.')


# Placement (cyborg.clients.placement)
class ResourceProviderInUse(Conflict):
    msg_fmt = ('Resource provider %(uuid)s (or a child) has allocations and '
               'cannot be deleted.')


class ResourceProviderNameConflict(Conflict):
    msg_fmt = ('Cannot create resource provider %(uuid)s: name %(name)s is '
               'already used by provider %(other)s.')


class PlacementGenerationConflict(Conflict):
    msg_fmt = ('Resource provider %(uuid)s changed concurrently %(attempts)d '
               'times in a row; giving up.')


class PlacementInventoryInUse(Conflict):
    msg_fmt = ('Inventory of resource provider %(uuid)s is in use: '
               '%(detail)s')


class PlacementInventoryNotFound(NotFound):
    msg_fmt = 'Resource provider %(uuid)s has no %(rc)s inventory.'


class InvalidResourceClass(Invalid):
    msg_fmt = 'Resource class %(name)s is not valid.'


class PlacementRequestFailed(ServerError):
    msg_fmt = 'Placement %(method)s %(url)s answered %(status)s: %(detail)s'


# Nova (cyborg.clients.nova)
class NovaNotConfigured(CyborgException):
    msg_fmt = ('Nova is not configured: set the [nova] auth options (or '
               '[nova] endpoint_override for an unauthenticated endpoint) '
               'to %(purpose)s.')


class NovaRequestFailed(ServerError):
    msg_fmt = 'Nova %(method)s %(path)s failed: %(detail)s'


def describe(exc):
    """One line naming ``exc`` that may be shown to a client or stored.

    A cyborg error gives its own message (never the remote traceback that
    oslo.messaging appends to ``str()`` of an error raised on another
    service); anything else only its class name (a ``RemoteError``, the
    remote class name), never its text, which may hold SQL, paths or
    tracebacks. The details belong in the log.
    """
    if isinstance(exc, CyborgException):
        lines = exc.message.splitlines()
        return lines[0] if lines else type(exc).__name__
    name = getattr(exc, 'exc_type', None) or type(exc).__name__
    return 'unexpected %s' % name
