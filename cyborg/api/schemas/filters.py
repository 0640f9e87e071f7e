"""The legacy ``filters`` query list of devices and deployables.

api.md §10.2 and §11.2: ``filters.field``/``filters.value`` (repeatable,
paired by position) or ``filters[<i>].field``/``filters[<i>].value``. Each
``field`` must be one of :data:`FIELDS`. Of these, ``limit``, ``sort_key``
and ``sort_dir`` shape every list, ``name`` filters deployables; the rest
are accepted and ignored. Bad ``limit``/``sort_dir`` values are 400s
(decision Q22); an unknown ``sort_key`` is the contract's 400.

Parsing returns a :class:`ListQuery`; the query modules apply it.
"""
import dataclasses
import re

from cyborg.api import validation
from cyborg.api.schemas import common
from cyborg.common import exception

FIELDS = ('parent_uuid', 'root_uuid', 'board', 'availability',
          'interface_type', 'instance_uuid', 'limit', 'marker', 'sort_key',
          'sort_dir', 'name')
SORT_DIRS = ('asc', 'desc')
MAX_LIMIT = 2 ** 63 - 1    # what a database LIMIT takes

_DOTTED = {'filters.field': 'field', 'filters.value': 'value'}
_INDEXED = re.compile(r'^filters\[(\d+)\]\.(field|value)$')


InvalidInput = validation.InvalidInput


class InvalidSortKey(exception.Invalid):
    msg_fmt = 'The sort_key value "%(key)s" is an invalid field for sorting'


@dataclasses.dataclass
class ListQuery:
    """What a list request asks for.

    ``exact`` maps column names to exact values; ``filtered`` is true when
    any filter was given (it switches the default order to ``created_at``
    descending, api.md §7).
    """
    exact: dict = dataclasses.field(default_factory=dict)
    filtered: bool = False
    limit: int | None = None
    sort_key: str = 'created_at'
    sort_dir: str = 'desc'


_FIELD_RULE = InvalidInput.msg_fmt % {
    'field': 'field', 'value': '{value}',
    'reason': 'Value should be one of: %s' % ', '.join(FIELDS)}
FILTER_PARAMS = {
    '^filters([.]|\\[[0-9]{1,9}\\][.])field$': {
        'enum': list(FIELDS), 'x-errors': {'enum': _FIELD_RULE}},
    '^filters([.]|\\[[0-9]{1,9}\\][.])value$': common.query_text(),
}
DEPLOYABLE_QUERY = {'type': 'object', 'patternProperties': FILTER_PARAMS}


def query_schema(plain=(), extra=None):
    """The query string of a list taking ``filters`` and ``plain``
    exact-match parameters (devices: type, vendor, hostname), and the
    ``extra`` properties (the paging of 2.4)."""
    properties = {name: common.query_text() for name in plain}
    properties.update(extra or {})
    return dict(DEPLOYABLE_QUERY, properties=properties)


def is_filter_param(name):
    return name in _DOTTED or bool(_INDEXED.match(name))


def check_names(params, plain=(), schema=None):
    """400 ``Unknown argument`` for a name neither plain nor a filter;
    then the values against ``schema`` (default: plain and filters)."""
    for name in params.keys():
        if name not in plain and not is_filter_param(name):
            raise exception.UnknownArgument(name=name)
    if schema is None:
        schema = _SCHEMAS.setdefault(tuple(plain), query_schema(plain))
    validation.validate_query(schema, params)
    return params


_SCHEMAS = {}


def _pairs(params):
    """(field, value) pairs in request order: dotted, then by index."""
    dotted = {'field': [], 'value': []}
    indexed = {}
    for name, value in params.items():
        if name in _DOTTED:
            dotted[_DOTTED[name]].append(value)
            continue
        match = _INDEXED.match(name)
        if match:
            entry = indexed.setdefault(int(match.group(1)), {})
            entry[match.group(2)] = value
    if len(dotted['field']) != len(dotted['value']):
        _missing(dotted)
    pairs = list(zip(dotted['field'], dotted['value']))
    for index in sorted(indexed):
        entry = indexed[index]
        if 'field' not in entry or 'value' not in entry:
            _missing(entry)
        pairs.append((entry['field'], entry['value']))
    return pairs


def _missing(entry):
    raise InvalidInput(field='filters', value=entry,
                       reason='Mandatory field missing.')


def _limit(value):
    try:
        limit = int(value)
    except ValueError:
        limit = -1
    if limit < 0:
        raise InvalidInput(field='limit', value=value,
                           reason='Value should be a non-negative integer.')
    return limit if limit <= MAX_LIMIT else None    # more than any table


PAGING_FIELDS = ('limit', 'marker', 'sort_key', 'sort_dir')


def parse(params, columns, exact_fields=(), filter_fields=(), paged=False):
    """Build a :class:`ListQuery` from already-checked query ``params``.

    ``paged`` (microversion 2.4 and later): the list pages and sorts with
    its own query parameters, so a paging field in ``filters`` is a 400
    rather than a second, conflicting way to say it.

    :param columns: column names that ``sort_key`` may name.
    :param exact_fields: plain query parameters that filter exactly
        (devices: type, vendor, hostname); empty values are no filter.
    :param filter_fields: ``filters`` fields that filter exactly
        (deployables: name).
    """
    query = ListQuery()
    for name in exact_fields:
        value = params.get(name)
        if value:
            query.exact[name] = value
            query.filtered = True
    given = {}
    for field, value in _pairs(params):
        if field not in FIELDS:
            raise InvalidInput(field='field', value=field,
                               reason='Value should be one of: %s' %
                               ', '.join(FIELDS))
        if paged and field in PAGING_FIELDS:
            raise InvalidInput(
                field='filters', value=field,
                reason='From microversion 2.4 lists page and sort with '
                       'the limit, marker, sort_key and sort_dir query '
                       'parameters.')
        given[field] = value        # a repeated field: the last one wins
        query.filtered = True
    for field in filter_fields:
        if field in given:
            query.exact[field] = given[field]
    if 'limit' in given:
        query.limit = _limit(given['limit'])
    if 'sort_key' in given:
        if given['sort_key'] not in columns:
            raise InvalidSortKey(key=given['sort_key'])
        query.sort_key = given['sort_key']
    if 'sort_dir' in given:
        if given['sort_dir'] not in SORT_DIRS:
            raise InvalidInput(field='sort_dir', value=given['sort_dir'],
                               reason='Value should be one of: asc, desc')
        query.sort_dir = given['sort_dir']
    return query
