"""Body of ``PATCH /v2/deployables/{uuid}/program`` (api.md §11.4).

A JSON array of patch operations; every element is validated, only the
first is used: ``value[0].image_uuid`` names the Glance image to program.

Upstream answers 500 for an empty array, a ``remove`` first operation, a
non-array ``value`` or a missing ``image_uuid``; those are client mistakes
and answered 400 here (as decision Q14 does for ARQ patches). The path is
matched on the whole value (a trailing newline is a 400, issue 12), all
before the image goes anywhere near Glance.
"""
from cyborg.api import validation
from cyborg.api.schemas import common
from cyborg.common import exception

BODY_NAME = 'program_info'
OPS = ('add', 'replace', 'remove')
PATH_PATTERN = '^(/[\\w-]+)+$'
INTERNAL_ATTRS = ('/created_at', '/id', '/links', '/updated_at', '/uuid',
                  '/name', '/num_accelerators')


class InternalAttribute(exception.Invalid):
    msg_fmt = "'%(path)s' is an internal attribute and can not be updated"


class InvalidProgramRequest(exception.Invalid):
    msg_fmt = 'Invalid program request: %(reason)s'


def _invalid(field, reason):
    return validation.InvalidInput.msg_fmt % {
        'field': field, 'value': '{value}', 'reason': reason}


def _request(reason):
    return InvalidProgramRequest.msg_fmt % {'reason': reason}


_MANDATORY = "Invalid input for field/attribute {value}. Value: 'None'. " \
             "Mandatory field missing."
_INTERNAL = '^(%s)(/|$)' % '|'.join(INTERNAL_ATTRS)
_FIRST_VALUE = _request('value must be a list whose first element has an '
                        'image_uuid.')

OPERATION = {
    'type': 'object',
    'properties': {
        'op': {'enum': list(OPS), 'x-errors': {
            'enum': _invalid('op', 'Value should be one of: %s'
                             % ', '.join(OPS))}},
        'path': {'type': 'string', 'maxLength': 255,
                 'pattern': PATH_PATTERN,
                 'not': {'pattern': _INTERNAL},
                 'x-errors': {
                     k: _invalid('path', 'Value should match the pattern %s'
                                 % PATH_PATTERN)
                     for k in ('type', 'maxLength', 'pattern')} | {
                     'not': InternalAttribute.msg_fmt % {'path': '{value}'}}},
    },
    'required': ['op', 'path'],
    'if': {'properties': {'op': {'enum': ['add', 'replace']}}},
    'then': {'required': ['value'], 'x-errors': {
        'required': "'add' and 'replace' operations need a value"}},
    'x-errors': {'type': _invalid(BODY_NAME, 'Value should be an object.'),
                 'required': _MANDATORY},
}

FIRST_OPERATION = {
    'properties': {
        'op': {'enum': ['add', 'replace'], 'x-errors': {'enum': _request(
            "the first operation must be 'add' or 'replace'.")}},
        'value': {'type': 'array', 'minItems': 1, 'prefixItems': [{
            'type': 'object', 'required': ['image_uuid'],
            'properties': {'image_uuid': dict(common.uuid(), **{
                'x-errors': {k: exception.InvalidUUID.msg_fmt % {
                    'uuid': '{value}'}
                    for k in ('type', 'maxLength', 'pattern')}})},
            'x-errors': {'type': _FIRST_VALUE, 'required': _FIRST_VALUE}}],
            'x-errors': {'type': _FIRST_VALUE, 'minItems': _FIRST_VALUE}},
    },
}

PROGRAM = {
    'type': 'array',
    'allOf': [{'items': OPERATION},
              {'minItems': 1, 'x-errors': {
                  'minItems': _request('no operation given.')}},
              {'prefixItems': [FIRST_OPERATION]}],
    'x-errors': {'type': _invalid(BODY_NAME, 'Value not a valid list: '
                                             '{value}')},
}


def image_uuid(body):
    """Validate ``body`` and return the image uuid of its first op."""
    validation.validate(PROGRAM, body, BODY_NAME)
    return body[0]['value'][0]['image_uuid']
