"""Validation and normalisation of a device-profile create body.

Checks run in the order of api.md §8.4 and produce its exact messages, with
decisions Q3 (empty name/groups stay 500; a missing key or any other shape
error is a 400), Q4 (name length checked here, whatever the database) and
Q5 (a supplied uuid must be a UUID before anything is stored).
"""
import re
import uuid as uuid_lib

from cyborg.api import expose
from cyborg.common import exception

BODY_NAME = 'req_devprof_list'
NAME_MAX_LENGTH = 255
NAME_PATTERN = '^[a-zA-Z0-9-_]+$'
_NAME_RE = re.compile(r'^[a-zA-Z0-9\-_]+$')
_INT_RE = re.compile(r'^\s*[+-]?[0-9]+\s*$')
KEY_PREFIXES = ('resources:', 'trait:', 'accel:')
TRAIT_VALUES = ['required', 'forbidden']
STANDARD_RESOURCE_CLASSES = ('FPGA', 'GPU', 'VGPU', 'PGPU', 'CUSTOM_QAT',
                             'CUSTOM_NIC', 'CUSTOM_SSD')


def _bad(message):
    return exception.InvalidDeviceProfile(err=message)


def parse_create(body):
    """The normalised profile dict: name, description, groups, uuid."""
    if not isinstance(body, list) or len(body) != 1:
        raise _bad('Only one device profile allowed per POST request for '
                   'now.')
    item = body[0]
    if not isinstance(item, dict):
        raise _bad('A device profile must be a JSON object.')
    name = _check_name(item)
    groups = _check_groups(item)
    return {
        'name': name,
        'description': _check_description(item.get('description')),
        'groups': groups,
        'uuid': _check_uuid(item.get('uuid')),
    }


def _check_name(item):
    if 'name' not in item:
        raise exception.MissingArgument(name='name')
    name = item['name']
    if name is None or name == '':
        raise exception.DeviceProfileNameNeeded()
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise _bad('Device profile name must be of the form %s'
                   % NAME_PATTERN)
    return name


def _check_groups(item):
    if 'groups' not in item:
        raise exception.MissingArgument(name='groups')
    groups = item['groups']
    if groups is None or groups == []:
        raise exception.DeviceProfileGroupsExpected()
    if not isinstance(groups, list) or not all(
            isinstance(g, dict) for g in groups):
        raise _bad('Device profile groups must be an array of objects.')
    return [_normalise_group(index, group)
            for index, group in enumerate(groups)]


def _normalise_group(index, group):
    out = {}
    for key, value in group.items():
        if not key.startswith(KEY_PREFIXES):
            raise _bad('Device profile group keys must be of the form '
                       '^(resources:|trait:|accel:)')
        if key.startswith('trait:'):
            key, value = _trait(key, value)
        elif key.startswith('resources:'):
            key, value = _resource(key, value)
        else:
            value = _accel(index, key, value)
        out[key] = value
    return out


def _trait(key, value):
    name = key[len('trait:'):].strip()
    if not name.startswith('CUSTOM_'):
        raise _bad('Unsupported trait name format %s, should start with '
                   'CUSTOM_' % name)
    if not isinstance(value, str) or value not in TRAIT_VALUES:
        raise _bad('Unsupported trait value %s, the value must be one '
                   'among %s' % (value, TRAIT_VALUES))
    return 'trait:' + name, value


def _resource(key, value):
    rc = key[len('resources:'):].strip()
    if rc not in STANDARD_RESOURCE_CLASSES and not rc.startswith('CUSTOM_'):
        raise _bad('Unsupported resource class %s' % rc)
    if isinstance(value, str):
        if not _INT_RE.match(value):
            raise _bad('Resources number %s is invalid' % value)
        return 'resources:' + rc, value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _bad('Resources number %s is invalid' % (value,))
    try:
        int(value)
    except (ValueError, OverflowError):
        raise _bad('Resources number %s is invalid' % value)
    return 'resources:' + rc, str(value)


def _accel(index, key, value):
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (bool, int, float)):
        return str(value)
    raise _bad('A string is required in field groups[%d][%s], not a %s'
               % (index, key, type(value).__name__))


def _check_description(value):
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (bool, int, float)):
        return str(value)
    raise _bad('Device profile description must be a string.')


def _check_uuid(value):
    if value is None:
        return None
    if not expose.is_uuid_like(value):
        raise exception.InvalidUUID(uuid=value)
    return str(uuid_lib.UUID(value))
