"""Attribute create body and list query (api.md §12.2, §12.4).

Decision Q20: a missing or ill-typed field is a 400 naming it (upstream
answers 500). Unknown keys are ignored, as upstream does.
"""
import uuid as uuid_lib

from cyborg.api import expose
from cyborg.api.schemas import filters
from cyborg.common import exception

BODY_NAME = 'req_attr'


def _integer(field, value):
    """An int, or a string of one; anything else is the contract's 400."""
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError as e:
        raise filters.InvalidInput(
            field=field, value=value,
            reason='unable to convert to integer. Error: %s' % e)


def _text(body, field):
    if field not in body or body[field] is None:
        raise exception.MissingArgument(name=field)
    value = body[field]
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise filters.InvalidInput(field=field, value=value,
                                   reason='Value should be a string.')
    return str(value)


def parse_create(body):
    """{'deployable_id', 'key', 'value', 'uuid' (or None)} of a create."""
    if not isinstance(body, dict):
        raise filters.InvalidInput(field=BODY_NAME, value=body,
                                   reason='Value should be a JSON object.')
    if body.get('deployable_id') is None:
        raise exception.MissingArgument(name='deployable_id')
    attr = {
        'deployable_id': _integer('deployable_id', body['deployable_id']),
        'key': _text(body, 'key'),
        'value': _text(body, 'value'),
        'uuid': None,
    }
    uuid = body.get('uuid')
    if uuid is not None:
        expose.require_uuid(uuid, 'uuid')
        attr['uuid'] = str(uuid_lib.UUID(uuid))
    return attr


def parse_list(params):
    """(deployable_id or None, key or None) of a list query."""
    deployable_id = params.get('deployable_id')
    if deployable_id is not None and deployable_id.strip() != '':
        deployable_id = _integer('deployable_id', deployable_id)
    else:
        deployable_id = None
    key = params.get('key') or None
    return deployable_id or None, key   # 0 is "no filter" (api.md §12.2)
