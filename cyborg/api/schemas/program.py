"""Body of ``PATCH /v2/deployables/{uuid}/program`` (api.md §11.4).

A JSON array of patch operations; every element is validated, only the
first is used: ``value[0].image_uuid`` names the Glance image to program.

Upstream answers 500 for an empty array, a ``remove`` first operation, a
non-array ``value`` or a missing ``image_uuid``; those are client mistakes
and answered 400 here (as decision Q14 does for ARQ patches).
"""
import re

from cyborg.api import expose
from cyborg.api.schemas import filters
from cyborg.common import exception

BODY_NAME = 'program_info'
OPS = ('add', 'replace', 'remove')
_PATH_RE = re.compile(r'^(/[\w-]+)+$')
INTERNAL_ATTRS = ('/created_at', '/id', '/links', '/updated_at', '/uuid',
                  '/name', '/num_accelerators')


class InternalAttribute(exception.Invalid):
    msg_fmt = "'%(path)s' is an internal attribute and can not be updated"


class ValueMissing(exception.Invalid):
    msg_fmt = "'add' and 'replace' operations need a value"


class InvalidProgramRequest(exception.Invalid):
    msg_fmt = 'Invalid program request: %(reason)s'


def _check_op(op):
    if not isinstance(op, dict):
        raise filters.InvalidInput(field=BODY_NAME, value=op,
                                   reason='Value should be an object.')
    for name in ('op', 'path'):
        if name not in op:
            raise filters.InvalidInput(field=name, value=None,
                                       reason='Mandatory field missing.')
    if op['op'] not in OPS:
        raise filters.InvalidInput(field='op', value=op['op'],
                                   reason='Value should be one of: %s' %
                                   ', '.join(OPS))
    path = op['path']
    if not isinstance(path, str) or not _PATH_RE.match(path):
        raise filters.InvalidInput(
            field='path', value=path,
            reason='Value should match the pattern %s' % _PATH_RE.pattern)
    if '/' + path.split('/')[1] in INTERNAL_ATTRS:
        raise InternalAttribute(path=path)
    if op['op'] != 'remove' and 'value' not in op:
        raise ValueMissing()


def image_uuid(body):
    """Validate ``body`` and return the image uuid of its first op."""
    if not isinstance(body, list):
        raise filters.InvalidInput(
            field=BODY_NAME, value=body,
            reason='Value not a valid list: %s' % (body,))
    for op in body:
        _check_op(op)
    if not body:
        raise InvalidProgramRequest(reason='no operation given.')
    first = body[0]
    if first['op'] == 'remove':
        raise InvalidProgramRequest(reason="the first operation must be "
                                           "'add' or 'replace'.")
    value = first.get('value')
    if not isinstance(value, list) or not value or \
            not isinstance(value[0], dict) or 'image_uuid' not in value[0]:
        raise InvalidProgramRequest(
            reason='value must be a list whose first element has an '
                   'image_uuid.')
    image = value[0]['image_uuid']
    if not expose.is_uuid_like(image):
        raise exception.InvalidUUID(uuid=image)
    return image
