"""Paging and sorting of the lists at microversion 2.4 and later.

Every list takes ``limit`` (a positive integer, capped at ``[api]
max_limit``), ``marker`` (the uuid of the last item of the previous page),
``sort_key`` (one of the indexed columns the list names) and ``sort_dir``
(``asc`` or ``desc``). The default order is ``created_at`` ascending, ties
broken by creation order. Below 2.4 none of these is a known parameter:
the lists stay unpaged and a paging parameter is what any unknown one is.

The schemas are data; :func:`parse` turns checked values into a
:class:`Page` that ``cyborg.db.queries.paging`` applies.
"""
import dataclasses

from cyborg.api import microversion
from cyborg.api import validation
from cyborg.api.schemas import common

NAMES = ('limit', 'marker', 'sort_key', 'sort_dir')
SORT_DIRS = ('asc', 'desc')
DEFAULT_SORT_KEY = 'created_at'
DEFAULT_SORT_DIR = 'asc'

_INVALID = validation.InvalidInput.msg_fmt

LIMIT = {
    'type': 'string', 'maxLength': 64, 'pattern': '^0*[1-9][0-9]*$',
    'description': 'At most this many items (capped at [api] max_limit, '
                   'also the default). Microversion 2.4 and later.',
    'x-errors': {k: _INVALID % {'field': 'limit', 'value': '{value}',
                                'reason': 'Value should be a positive '
                                          'integer.'}
                 for k in ('type', 'maxLength', 'pattern')}}
MARKER = dict(common.uuid(), **{
    'description': 'The uuid of the last item of the previous page. '
                   'Microversion 2.4 and later.',
    'x-errors': {k: _INVALID % {'field': 'marker', 'value': '{value}',
                                'reason': 'Value should be a UUID.'}
                 for k in ('type', 'maxLength', 'pattern')}})
SORT_DIR = {'enum': list(SORT_DIRS),
            'description': 'Sort direction (default asc). Microversion '
                           '2.4 and later.'}


def sort_key(keys):
    return {'enum': list(keys),
            'description': 'Sort by this column, ties in creation order '
                           '(default %s). Microversion 2.4 and later.'
                           % DEFAULT_SORT_KEY}


def properties(sort_keys):
    """Query-schema properties of the paging parameters of one list."""
    return {'limit': LIMIT, 'marker': MARKER,
            'sort_key': sort_key(sort_keys), 'sort_dir': SORT_DIR}


@dataclasses.dataclass(frozen=True)
class Page:
    """One page a list request asks for."""
    limit: int
    marker: str | None = None
    sort_key: str = DEFAULT_SORT_KEY
    sort_dir: str = DEFAULT_SORT_DIR


def is_paged(version):
    return microversion.at_least(version, microversion.PAGED_LISTS)


def allowed(version, names):
    """``names`` plus the paging parameters from 2.4 on."""
    return tuple(names) + (NAMES if is_paged(version) else ())


def parse(params, max_limit):
    """The :class:`Page` of already-validated query ``params``."""
    limit = params.get('limit')
    limit = max_limit if limit is None else min(int(limit), max_limit)
    return Page(limit=limit, marker=params.get('marker'),
                sort_key=params.get('sort_key', DEFAULT_SORT_KEY),
                sort_dir=params.get('sort_dir', DEFAULT_SORT_DIR))


def of(req, params):
    """The page a request at 2.4 or later asks for, else None."""
    if not is_paged(req.version):
        return None
    return parse(params, req.conf.api.max_limit)
