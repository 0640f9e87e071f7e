"""Attribute create body and list query (api.md §12.2, §12.4).

Decision Q20: a missing or ill-typed field is a 400 naming it (upstream
answers 500). Unknown keys are ignored, as upstream does.
"""
import uuid as uuid_lib

from cyborg.api import expose
from cyborg.api import validation
from cyborg.api.schemas import common
from cyborg.common import exception

BODY_NAME = 'req_attr'
# Any integer: one beyond the column matches (and names) no deployable.
_INT_PATTERN = '^[ \\t]*[+-]?[0-9]{1,64}[ \\t]*$'
_NOT_INT = ("Invalid input for field/attribute deployable_id. Value: "
            "'{value}'. unable to convert to integer. Error: invalid "
            "literal for int() with base 10: '{value}'")


def _missing(name):
    return exception.MissingArgument.msg_fmt % {'name': name}


def _text(name):
    return dict(common.text(65535, types=('string', 'number')),
                **{'not': {'type': 'null'},
                   'x-errors': {'not': _missing(name)}})


DEPLOYABLE_ID = {'not': {'type': 'null'},
                 'type': ['integer', 'string'], 'maxLength': 80,
                 'pattern': _INT_PATTERN,
                 'x-errors': {'not': _missing('deployable_id'),
                              'type': _NOT_INT, 'maxLength': _NOT_INT,
                              'pattern': _NOT_INT}}
CREATE = {
    'type': 'object',
    'properties': {
        'deployable_id': DEPLOYABLE_ID,
        'key': _text('key'),
        'value': _text('value'),
        'uuid': dict(common.uuid(nullable=True), **{'x-errors': {
            k: exception.InvalidFieldUUID.msg_fmt % {'field': 'uuid',
                                                     'value': '{value}'}
            for k in ('type', 'maxLength', 'pattern')}}),
    },
    'required': ['deployable_id', 'key', 'value'],
    'x-errors': {'type': validation.InvalidInput.msg_fmt % {
        'field': BODY_NAME, 'value': '{value}',
        'reason': 'Value should be a JSON object.'}},
}

LIST_QUERY = common.query({
    'deployable_id': dict(DEPLOYABLE_ID, pattern='^[ \\t]*([+-]?[0-9]{1,64})?'
                                                 '[ \\t]*$'),
    'key': common.query_text()})


def parse_create(body):
    """{'deployable_id', 'key', 'value', 'uuid' (or None)} of a create."""
    validation.validate(CREATE, body, BODY_NAME)
    uuid = body.get('uuid')
    return {
        'deployable_id': int(body['deployable_id']),
        'key': str(body['key']),
        'value': str(body['value']),
        'uuid': str(uuid_lib.UUID(expose.require_uuid(uuid, 'uuid')))
        if uuid is not None else None,
    }


def parse_list(params):
    """(deployable_id or None, key or None) of a list query."""
    validation.validate(LIST_QUERY, dict(params), 'query')
    deployable_id = params.get('deployable_id')
    deployable_id = int(deployable_id) if deployable_id and \
        deployable_id.strip() else None
    key = params.get('key') or None
    return deployable_id or None, key   # 0 is "no filter" (api.md §12.2)
