"""Schemas of what the API answers (api.md §3-§12), for the OpenAPI
document and the fuzz tests that check every response against it.

Objects are open (clients must tolerate extra keys) but every key the
contract names is required with its type.
"""


def _nullable(kind):
    return {'type': [kind, 'null']}


STRING = {'type': 'string'}
NULLABLE_STRING = _nullable('string')
INTEGER = {'type': 'integer'}
TIMESTAMP = {'type': 'string', 'pattern': '^[0-9]{4}-[0-9]{2}-[0-9]{2}T'}
NULLABLE_TIMESTAMP = {'type': ['string', 'null'],
                      'pattern': '^[0-9]{4}-[0-9]{2}-[0-9]{2}T'}
LINK = {'type': 'object', 'required': ['href', 'rel'],
        'properties': {'href': STRING, 'rel': STRING}}
LINKS = {'type': 'array', 'items': LINK}


def _object(properties, required=None):
    return {'type': 'object', 'properties': properties,
            'required': list(required or properties)}


NEXT_LINKS = {'type': 'array', 'items': LINK, 'description': (
    'Microversion 2.4 and later, only when more items follow: one link '
    'whose rel is "next", the same request with marker set to the last '
    'item\'s uuid.')}


def _list_of(key, item):
    """``{key: [item...]}`` and, on a 2.4 page, ``<key>_links``."""
    return _object({key: {'type': 'array', 'items': item},
                    key + '_links': NEXT_LINKS}, required=[key])


ERROR = dict(_object({'error_message': STRING}),
             description='The inner document (faultcode, faultstring, '
                         'debuginfo) serialised as a JSON string, or '
                         '"null" for a 423 (api.md §3).')

VERSION = _object({'id': STRING, 'status': STRING, 'max_version': STRING,
                   'min_version': STRING, 'links': LINKS})
VERSIONS = _object({'name': STRING, 'description': STRING,
                    'versions': {'type': 'array', 'items': VERSION},
                    'default_version': VERSION})
V2 = _object({'id': STRING, 'links': LINKS, 'max_version': STRING,
              'min_version': STRING, 'status': STRING})

_GROUP = {'type': 'object',
          'additionalProperties': {'type': ['string', 'null']}}
DEVICE_PROFILE = _object({
    'uuid': STRING, 'name': STRING, 'description': NULLABLE_STRING,
    'groups': {'type': 'array', 'items': _GROUP},
    'created_at': TIMESTAMP, 'updated_at': NULLABLE_TIMESTAMP,
    'links': LINKS})
DEVICE_PROFILE_LIST = _list_of('device_profiles', DEVICE_PROFILE)
DEVICE_PROFILE_SHOW = _object({'device_profile': DEVICE_PROFILE})

ARQ_STATES = ['Initial', 'BindStarted', 'Bound', 'Unbound', 'BindFailed',
              'UnbindFailed', 'Deleting']
ARQ = _object({
    'uuid': STRING, 'state': {'enum': ARQ_STATES},
    'device_profile_name': STRING, 'device_profile_group_id': INTEGER,
    'hostname': NULLABLE_STRING, 'device_rp_uuid': NULLABLE_STRING,
    'instance_uuid': NULLABLE_STRING, 'project_id': NULLABLE_STRING,
    'attach_handle_type': STRING, 'attach_handle_uuid': NULLABLE_STRING,
    'attach_handle_info': {'type': 'object',
                           'additionalProperties': STRING},
    'links': LINKS, 'created_at': TIMESTAMP,
    'updated_at': NULLABLE_TIMESTAMP,
    'state_reason': dict(NULLABLE_STRING, description=(
        'Microversion 2.4 and later: why the last bind, unbind or delete '
        'failed, or null.'))})
ARQ['required'].remove('state_reason')
ARQ_LIST = _list_of('arqs', ARQ)

_DEVICE_FIELDS = {
    'uuid': STRING, 'type': STRING, 'vendor': STRING, 'model': STRING,
    'std_board_info': NULLABLE_STRING, 'vendor_board_info': NULLABLE_STRING,
    'hostname': STRING,
    'status': {'enum': ['enabled', 'maintaining'],
               'description': 'Only at microversion 2.3 and later.'},
    'links': LINKS, 'created_at': TIMESTAMP,
    'updated_at': NULLABLE_TIMESTAMP}
DEVICE = _object(_DEVICE_FIELDS,
                 [k for k in _DEVICE_FIELDS if k != 'status'])
DEVICE_LIST = _list_of('devices', DEVICE)

DEPLOYABLE = _object({
    'uuid': STRING, 'parent_id': _nullable('integer'),
    'root_id': _nullable('integer'), 'name': STRING,
    'num_accelerators': INTEGER, 'device_id': INTEGER,
    'attributes_list': dict(STRING, description='A JSON-encoded list of '
                            'single-key objects (api.md §11.1).'),
    'rp_uuid': NULLABLE_STRING, 'driver_name': NULLABLE_STRING,
    'bitstream_id': NULLABLE_STRING, 'links': LINKS,
    'created_at': TIMESTAMP, 'updated_at': NULLABLE_TIMESTAMP})
DEPLOYABLE_LIST = _list_of('deployables', DEPLOYABLE)

ATTRIBUTE = _object({
    'uuid': STRING, 'deployable_id': INTEGER, 'key': STRING,
    'value': STRING, 'created_at': TIMESTAMP,
    'updated_at': NULLABLE_TIMESTAMP, 'links': LINKS})
ATTRIBUTE_LIST = _list_of('attributes', ATTRIBUTE)
