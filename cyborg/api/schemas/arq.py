"""Validation of ARQ create and bind/unbind bodies (api.md §9.6, §9.7).

Decisions applied: Q8 (a missing ``device_profile_name`` is a 400),
Q14 (empty body, empty op list, missing ``value`` are 400s).
"""
import re

from cyborg.api import microversion
from cyborg.common import exception
from cyborg.policies import arqs as arq_policy

CREATE_BODY_NAME = 'req'
PATCH_BODY_NAME = 'patch_list'

BIND_FIELDS = ('hostname', 'device_rp_uuid', 'instance_uuid')
PROJECT_FIELD = 'project_id'
_MAX_LENGTH = {'hostname': 255, 'device_rp_uuid': 36, 'instance_uuid': 36,
               'project_id': 255}
XILINX_TRAIT = 'trait:CUSTOM_FPGA_XILINX'
MAX_ARQS_PER_CREATE = 1000
_INT_RE = re.compile(r'^\s*[+-]?[0-9]+\s*$')


def parse_create(body):
    """The device-profile name an ARQ create asks for."""
    if not isinstance(body, dict):
        raise exception.InvalidParameterValue(
            err='The request body must be a JSON object.')
    name = body.get('device_profile_name')
    if name is None:
        raise exception.ARQDeviceProfileNameRequired()
    if not isinstance(name, str):
        raise exception.InvalidParameterValue(
            err='device_profile_name must be a string.')
    return name


def _int(value, index, key):
    if isinstance(value, str) and _INT_RE.match(value):
        return int(value)
    raise exception.ServerError(
        err='Device profile group %d has a non-integer value %r for %s.'
            % (index, value, key))


def arq_count(index, group):
    """How many ARQs one profile group fans out to (api.md §9.6)."""
    if group.get(XILINX_TRAIT) == 'required':
        if 'resources:FPGA' not in group:
            raise exception.ServerError(
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

    Every entry is checked before anything changes; the first failure
    wins (api.md §9.7 rows 1-5).
    """
    if not isinstance(body, dict) or not body:
        raise _patch_error('The body must be an object mapping ARQ uuids '
                           'to lists of operations')
    valid_fields = {}
    for uuid, ops in body.items():
        _check_ops(uuid, ops)
        fields = {}
        for op in ops:
            field, value = _check_op(op, version, context)
            if op['op'] == 'add':
                fields[field] = value
        if ops[0]['op'] == 'add':
            valid_fields[uuid] = _bind_fields(fields, context)
    return valid_fields


def _check_ops(uuid, ops):
    if not isinstance(ops, list) or not ops:
        raise _patch_error('No operations for ARQ %s' % uuid)
    if not all(isinstance(op, dict) for op in ops):
        raise _patch_error('Every operation must be an object')
    kinds = {op.get('op') for op in ops}
    if kinds != {'add'} and kinds != {'remove'}:
        raise _patch_error('Every op must be add or remove')


def _check_op(op, version, context):
    path = op.get('path')
    if not isinstance(path, str):
        raise _patch_error('Invalid path in patch %s' % (path,))
    field = path.lstrip('/')
    if field == PROJECT_FIELD:
        microversion.require(version, microversion.BIND_PROJECT_ID)
        if not context.is_admin:
            raise exception.PolicyNotAuthorized(action=arq_policy.UPDATE)
    elif field not in BIND_FIELDS:
        raise _patch_error('Invalid path in patch %s' % path)
    if op['op'] != 'add':
        return field, None
    if 'value' not in op:
        raise exception.PatchValueMissing()
    value = op['value']
    if value is not None and not isinstance(value, str):
        raise _patch_error('Invalid value for %s: a string is required'
                           % path)
    if value is not None and len(value) > _MAX_LENGTH[field]:
        raise _patch_error('Value for %s is longer than %d characters'
                           % (path, _MAX_LENGTH[field]))
    return field, value


def _bind_fields(fields, context):
    missing = [f for f in BIND_FIELDS if fields.get(f) is None]
    if missing:
        raise _patch_error('Fields absent in patch %s' % ','.join(missing))
    bind = {f: fields[f] for f in BIND_FIELDS}
    bind[PROJECT_FIELD] = fields.get(PROJECT_FIELD) or context.project_id
    return bind
