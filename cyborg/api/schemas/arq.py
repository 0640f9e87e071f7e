"""ARQ create and bind/unbind bodies, and the ARQ query strings: their
schemas (api.md §9.3, §9.6, §9.7, §9.9), then what the schemas cannot say.

Decisions applied: Q8 (a missing ``device_profile_name`` is a 400),
Q9 (an unsupported ``bind_state`` is a 400), Q14 (empty body, empty op
list, missing ``value`` are 400s). Issue 12: bound values must be what
they name (UUIDs for ``instance_uuid`` and ``device_rp_uuid``, a token
without spaces or control characters for ``hostname`` and
``project_id``).
"""
import re

from cyborg.api import microversion
from cyborg.api import validation
from cyborg.api.schemas import common
from cyborg.common import exception
from cyborg.common import states
from cyborg.policies import arqs as arq_policy

CREATE_BODY_NAME = 'req'
PATCH_BODY_NAME = 'patch_list'

BIND_FIELDS = ('hostname', 'device_rp_uuid', 'instance_uuid')
PROJECT_FIELD = 'project_id'
XILINX_TRAIT = 'trait:CUSTOM_FPGA_XILINX'
MAX_ARQS_PER_CREATE = 1000
_INT_RE = re.compile(r'^\s*[+-]?[0-9]+\s*$')
_MAX_DIGITS = len(str(MAX_ARQS_PER_CREATE)) + 6

_NAME_NEEDED = exception.ARQDeviceProfileNameRequired.msg_fmt
CREATE = {
    'type': 'object',
    'properties': {'device_profile_name': {
        'not': {'type': 'null'}, 'type': 'string', 'maxLength': 255,
        'pattern': common.TEXT_PATTERN,
        'x-errors': {'not': _NAME_NEEDED,
                     'type': 'device_profile_name must be a string.'}}},
    'required': ['device_profile_name'],
    'x-errors': {'type': 'The request body must be a JSON object.',
                 'required': _NAME_NEEDED},
}


def _patch(reason):
    return exception.PatchError.msg_fmt % {'reason': reason}


def _bound_value(path_pattern, value_schema):
    """``value_schema`` for the value of an ``add`` of these paths."""
    return {'if': {'properties': {'op': {'const': 'add'},
                                  'path': {'pattern': path_pattern}},
                   'required': ['op', 'path']},
            'then': {'properties': {'value': value_schema}}}


_BAD_VALUE = _patch('Invalid value {value}: %s')
BIND_UUID = {'type': ['string', 'null'],
             'pattern': common.PLAIN_UUID_PATTERN,
             'x-errors': {k: _BAD_VALUE % 'a UUID is required'
                          for k in ('type', 'pattern')}}
BIND_TOKEN = dict(common.token(nullable=True), **{'x-errors': {
    'type': _BAD_VALUE % 'a string is required',
    'minLength': _BAD_VALUE % 'a string is required',
    'maxLength': _BAD_VALUE % 'at most 255 characters are allowed',
    'pattern': _BAD_VALUE % 'spaces and control characters are not '
                            'allowed'}})
# Absent, null or empty: the caller's project (api.md §9.7 row 5).
BIND_PROJECT = dict(BIND_TOKEN, minLength=0,
                    pattern=common.TOKEN_PATTERN.replace('+$', '*$'))
_FIELDS = '|'.join(BIND_FIELDS + (PROJECT_FIELD,))

_KINDS = _patch('Every op must be add or remove')
_KIND = {'type': 'object',
         'properties': {'op': {'enum': ['add', 'remove'],
                               'x-errors': {'enum': _KINDS}}},
         'required': ['op'],
         'x-errors': {'type': _patch('Every operation must be an object'),
                      'required': _KINDS}}

OPERATION = {
    'type': 'object',
    'properties': {
        'op': {'enum': ['add', 'remove']},
        'path': {'type': 'string', 'pattern': '^/*(%s)$' % _FIELDS,
                 'x-errors': {k: _patch('Invalid path in patch {value}')
                              for k in ('type', 'pattern')}},
    },
    'required': ['op', 'path'],
    'allOf': [
        _bound_value('^/*(device_rp_uuid|instance_uuid)$', BIND_UUID),
        _bound_value('^/*hostname$', BIND_TOKEN),
        _bound_value('^/*project_id$', BIND_PROJECT),
    ],
    'x-errors': {'required': _patch('Invalid path in patch None')},
}


def _all_ops(kind):
    return {'items': {'properties': {'op': {'const': kind}}}}


# The operations of one ARQ, all add or all remove (the ARQ is {field}).
ENTRY = {'type': 'array', 'minItems': 1,
         'allOf': [{'items': _KIND},
                   {'anyOf': [_all_ops('add'), _all_ops('remove')],
                    'x-errors': {'anyOf': _KINDS}},
                   {'items': OPERATION}],
         'x-errors': {k: _patch('No operations for ARQ {field}')
                      for k in ('type', 'minItems')}}

_BODY_SHAPE = _patch('The body must be an object mapping ARQ uuids to '
                     'lists of operations')
PATCH_ROOT = {'type': 'object', 'minProperties': 1,
              'propertyNames': dict(common.token(),
                                    **{'x-errors': {
                                        k: _patch('Invalid ARQ uuid {value}')
                                        for k in ('minLength', 'maxLength',
                                                  'pattern')}}),
              'x-errors': {'type': _BODY_SHAPE, 'minProperties': _BODY_SHAPE}}
# Bind/unbind body: ARQ uuid -> operations.
PATCH = dict(PATCH_ROOT, additionalProperties=ENTRY)

_INSTANCE = dict(common.uuid(), **{'x-errors': {
    k: exception.InvalidFieldUUID.msg_fmt % {'field': 'instance',
                                             'value': '{value}'}
    for k in ('type', 'maxLength', 'pattern')}})
LIST_QUERY = common.query({'instance': _INSTANCE,
                           'bind_state': common.query_text()})

# Filters of a list at 2.4 and later (and the paging of schemas.paging).
_SINCE_24 = ' Microversion 2.4 and later.'
LIST_FILTERS = {
    'state': {'enum': list(states.ALL),
              'description': 'ARQs in this state.' + _SINCE_24},
    'device_profile_name': dict(common.query_text(), description=(
        'ARQs made from this device profile.' + _SINCE_24)),
    'hostname': dict(common.token(), description=(
        'ARQs bound on this compute host.' + _SINCE_24)),
    'device_rp_uuid': dict(common.uuid(), description=(
        'ARQs bound to this resource provider.' + _SINCE_24), **{
        'x-errors': {k: validation.InvalidInput.msg_fmt % {
            'field': 'device_rp_uuid', 'value': '{value}',
            'reason': 'Value should be a UUID.'}
            for k in ('type', 'maxLength', 'pattern')}}),
    'project_id': dict(common.token(), description=(
        'ARQs of this project (policy cyborg:arq:get_all_projects).'
        + _SINCE_24)),
    'all_projects': {'enum': ['true', 'false', '1', '0'], 'description': (
        'true: ARQs of every project; false: of the caller\'s project '
        '(policy cyborg:arq:get_all_projects).' + _SINCE_24)},
}
LIST_FILTER_NAMES = tuple(LIST_FILTERS)
PROJECT_FILTERS = ('project_id', 'all_projects')
DELETE_QUERY = common.query({
    'arqs': common.query_text(),
    'instance': _INSTANCE})


def parse_create(body):
    """The device-profile name an ARQ create asks for."""
    validation.validate(CREATE, body, CREATE_BODY_NAME)
    return body['device_profile_name']


def _int(value, index, key):
    if isinstance(value, str) and _INT_RE.match(value):
        digits = value.strip().lstrip('+-').lstrip('0')
        if len(digits) > _MAX_DIGITS and not value.strip().startswith('-'):
            # Stored before validation existed (or by upstream): far over
            # the cap, and too long for int() to parse at all.
            raise exception.InvalidParameterValue(
                err='Device profile group %d asks for %s %s; at most %d '
                    'accelerator requests can be created at once.'
                    % (index, validation.shown(value.strip()), key,
                       MAX_ARQS_PER_CREATE))
        if len(digits) > _MAX_DIGITS:
            return 0        # negative: no ARQ, as any value below 1
        return int(value)
    raise exception.InvalidParameterValue(
        err='Device profile group %d has a non-integer value %s for %s.'
            % (index, validation.shown(value), key))


def arq_count(index, group):
    """How many ARQs one profile group fans out to (api.md §9.6)."""
    if group.get(XILINX_TRAIT) == 'required':
        if 'resources:FPGA' not in group:
            raise exception.InvalidParameterValue(
                err='Device profile group %d requires %s but has no '
                    'resources:FPGA.' % (index, XILINX_TRAIT[6:]))
        return 2 * _int(group['resources:FPGA'], index, 'resources:FPGA')
    return sum(_int(v, index, k) for k, v in group.items()
               if k.startswith('resources:'))


def group_ids(groups, name=None):
    """The group index of every ARQ to create, in creation order.

    At most :data:`MAX_ARQS_PER_CREATE`: a profile asking for more (its
    values are any integers, api.md §8.5) is a 400 naming it, rather than
    an attempt to create billions of rows.
    """
    counts = [max(arq_count(index, group), 0)
              for index, group in enumerate(groups)]
    if sum(counts) > MAX_ARQS_PER_CREATE:
        raise exception.InvalidParameterValue(
            err='Device profile %s asks for %d accelerator requests; at '
                'most %d can be created at once.'
                % (name, sum(counts), MAX_ARQS_PER_CREATE))
    ids = []
    for index, count in enumerate(counts):
        ids.extend([index] * count)
    return ids


# -- PATCH ------------------------------------------------------------------

def _patch_error(reason):
    return exception.PatchError(reason=reason)


def parse_patch(body, version, context):
    """``valid_fields`` per ARQ uuid of a validated bind/unbind body.

    Every entry is checked before anything changes, entry by entry; the
    first failure wins (api.md §9.7 rows 1-5).
    """
    validation.validate(PATCH_ROOT, body, PATCH_BODY_NAME)
    valid_fields = {}
    for uuid, ops in body.items():
        validation.validate(ENTRY, ops, uuid)
        fields = {}
        for op in ops:
            field, value = _check_op(op, version, context)
            if op['op'] == 'add':
                fields[field] = value
        if ops[0]['op'] == 'add':
            valid_fields[uuid] = _bind_fields(fields, context)
    return valid_fields


def _check_op(op, version, context):
    field = op['path'].lstrip('/')
    if field == PROJECT_FIELD:
        microversion.require(version, microversion.BIND_PROJECT_ID)
        if not context.is_admin:
            raise exception.PolicyNotAuthorized(action=arq_policy.UPDATE)
    if op['op'] != 'add':
        return field, None
    if 'value' not in op:
        raise exception.PatchValueMissing()
    return field, op['value']


def _bind_fields(fields, context):
    missing = [f for f in BIND_FIELDS if fields.get(f) is None]
    if missing:
        raise _patch_error('Fields absent in patch %s' % ','.join(missing))
    bind = {f: fields[f] for f in BIND_FIELDS}
    bind[PROJECT_FIELD] = fields.get(PROJECT_FIELD) or context.project_id
    return bind
