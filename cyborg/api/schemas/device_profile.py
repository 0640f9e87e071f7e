"""Device-profile create body: its schema, then normalisation.

The schema states the checks of api.md §8.4/§8.5 in their order, with
their exact messages, and decisions Q3 (an empty name stays a 500; a
missing key, ``null`` or any other shape error is a 400), Q4 (a name over
255 characters stays a 500, whatever the database) and Q5 (a supplied
uuid must be a UUID before anything is stored). Issue 12 narrows what
upstream stored and could not use: a resource count is a whole number
from 1 to the fan-out cap (a JSON ``1.5``, ``"0"`` or a 5,000-digit
string are 400s), and no name or key may carry a control character or a
trailing newline.
"""
import uuid as uuid_lib

from cyborg.api import expose
from cyborg.api import validation
from cyborg.api.schemas import arq as arq_schema
from cyborg.api.schemas import common
from cyborg.common import exception

BODY_NAME = 'req_devprof_list'
NAME_MAX_LENGTH = 255
NAME_PATTERN = '^[a-zA-Z0-9-_]+$'       # upstream's spelling, in messages
KEY_PREFIXES = ('resources:', 'trait:', 'accel:')
TRAIT_VALUES = ['required', 'forbidden']
STANDARD_RESOURCE_CLASSES = ('FPGA', 'GPU', 'VGPU', 'PGPU', 'CUSTOM_QAT',
                             'CUSTOM_NIC', 'CUSTOM_SSD')
MAX_COUNT = arq_schema.MAX_ARQS_PER_CREATE
DESCRIPTION_MAX_LENGTH = 16383  # 64 KiB of 4-byte UTF-8: MySQL's TEXT

ONE_RULE = 'Only one device profile allowed per POST request for now.'
NAME_RULE = 'Device profile name must be of the form %s' % NAME_PATTERN
KEY_RULE = ('Device profile group keys must be of the form '
            '^(resources:|trait:|accel:)')
GROUPS_RULE = 'Device profile groups must be an array of objects.'
_SPACE = '[ \\t]*'
# 1..1000, leading zeros and a plus sign allowed, spaces around (§8.5).
COUNT_PATTERN = '^%s[+]?0*([1-9][0-9]{0,2}|1000)%s$' % (_SPACE, _SPACE)
assert MAX_COUNT == 1000, 'COUNT_PATTERN spells the cap out'


def _all(message, *keywords, status=None):
    errors = {'x-errors': {k: message for k in keywords}}
    if status is not None:
        errors['x-status'] = {k: status for k in keywords}
    return errors


NAME = dict(
    {'type': 'string', 'minLength': 1, 'pattern': '^[a-zA-Z0-9_-]+$',
     'maxLength': NAME_MAX_LENGTH},
    **{'x-errors': {'type': NAME_RULE, 'pattern': NAME_RULE,
                    'minLength': 'DeviceProfile name needed.',
                    'maxLength': exception.DeviceProfileNameTooLong.msg_fmt},
       'x-status': {'minLength': 500, 'maxLength': 500}})

TRAIT_NAME = '^trait:%sCUSTOM_[A-Za-z0-9_:.-]*%s$' % (_SPACE, _SPACE)
RESOURCE_CLASS = '^resources:%s(%s|CUSTOM_[A-Za-z0-9_]+)%s$' % (
    _SPACE, '|'.join(STANDARD_RESOURCE_CLASSES[:4]), _SPACE)

GROUP_KEY = {'maxLength': 255, 'allOf': [
    dict({'pattern': '^(resources:|trait:|accel:)'},
         **_all(KEY_RULE, 'pattern')),
    {'if': {'pattern': '^trait:'}, 'then': {'allOf': [
        dict({'pattern': '^trait:%sCUSTOM_' % _SPACE},
             **_all('Unsupported trait name format {tail}, should start '
                    'with CUSTOM_', 'pattern')),
        {'pattern': TRAIT_NAME}]}},
    {'if': {'pattern': '^resources:'}, 'then': dict(
        {'pattern': RESOURCE_CLASS},
        **_all('Unsupported resource class {tail}', 'pattern'))},
]}

COUNT = dict({'type': ['string', 'integer'], 'maxLength': 32,
              'pattern': COUNT_PATTERN, 'minimum': 1, 'maximum': MAX_COUNT},
             **_all('Resources number {value} is invalid', 'type',
                    'maxLength', 'pattern', 'minimum', 'maximum'))
TRAIT_VALUE = dict({'enum': TRAIT_VALUES},
                   **_all('Unsupported trait value {value}, the value must '
                          'be one among %s' % TRAIT_VALUES, 'enum'))
ACCEL_VALUE = dict(
    {'type': ['string', 'number', 'boolean', 'null'], 'maxLength': 255,
     'pattern': common.TEXT_PATTERN},
    **_all('A string is required in field {field}, not a {type}', 'type'))

GROUP = dict({'type': 'object', 'propertyNames': GROUP_KEY,
              'patternProperties': {'^resources:': COUNT,
                                    '^trait:': TRAIT_VALUE,
                                    '^accel:': ACCEL_VALUE}},
             **_all(GROUPS_RULE, 'type'))

PROFILE = dict({
    'type': 'object',
    'properties': {
        'name': NAME,
        'groups': dict({'type': 'array', 'minItems': 1, 'items': GROUP},
                       **{'x-errors': {
                           'type': GROUPS_RULE,
                           'minItems': 'DeviceProfile needs groups field.'}}),
        'description': common.text(DESCRIPTION_MAX_LENGTH, types=(
            'string', 'number', 'boolean', 'null')),
        'uuid': dict(common.uuid(nullable=True),
                     **_all('Expected a uuid but received {value}.', 'type',
                            'maxLength', 'pattern')),
    },
    'required': ['name', 'groups'],
}, **_all('A device profile must be a JSON object.', 'type'))

# Device-profile create body: exactly one profile in an array.
CREATE = dict({'type': 'array', 'minItems': 1, 'maxItems': 1,
               'items': PROFILE},
              **_all(ONE_RULE, 'type', 'minItems', 'maxItems'))

LIST_QUERY = common.query({'name': common.query_text()})
DELETE_QUERY = common.query({'value': common.query_text()})


def parse_create(body):
    """The normalised profile dict: name, description, groups, uuid."""
    validation.validate(CREATE, body, BODY_NAME)
    item = body[0]
    groups = [_normalise_group(group) for group in item['groups']]
    # A profile whose ARQs could never be created is refused now.
    arq_schema.group_ids(groups, item['name'])
    return {
        'name': item['name'],
        'description': _scalar_text(item.get('description')),
        'groups': groups,
        'uuid': _canonical_uuid(item.get('uuid')),
    }


def _normalise_group(group):
    """Keys trimmed after their prefix, values stored as strings."""
    out = {}
    for key, value in group.items():
        prefix, _sep, rest = key.partition(':')
        if prefix == 'resources':
            value = str(int(value)) if isinstance(value, (int, float)) \
                else value
        elif prefix == 'accel':
            value = _scalar_text(value)
        if prefix in ('resources', 'trait'):
            key = '%s:%s' % (prefix, rest.strip())
        out[key] = value
    return out


def _scalar_text(value):
    if value is None or isinstance(value, str):
        return value
    return str(value)


def _canonical_uuid(value):
    if value is None:
        return None
    if not expose.is_uuid_like(value):
        raise exception.InvalidUUID(uuid=value)
    return str(uuid_lib.UUID(value))
