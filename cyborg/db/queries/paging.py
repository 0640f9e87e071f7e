"""Keyset paging of a list query (microversion 2.4 lists).

A page is ``ORDER BY <sort_key> <dir>, id <dir> LIMIT <limit + 1>`` that
starts after the marker row: one statement finds the marker's sort value
and id, one reads the page, whatever the page's position in the list, so
paging costs the same number of statements on every page. The extra row
tells whether a next page exists without counting.

A nullable sort column keeps the database's own NULL order (MySQL and
SQLite: NULLs first ascending; PostgreSQL: NULLs last ascending), so the
order is what an index gives, and the predicate after the marker follows
that same order: every row is visited exactly once.
"""
import sqlalchemy as sa

from cyborg.common import exception


class MarkerNotFound(exception.Invalid):
    msg_fmt = 'Marker %(marker)s not found.'


def _nulls_low(context):
    """True where NULL sorts before every value in ascending order."""
    return context.session.get_bind().dialect.name != 'postgresql'


def _after(column, id_column, value, row_id, descending, nullable,
           nulls_low):
    """Rows strictly after (value, row_id) in the page order."""
    later = (lambda c, v: c < v) if descending else (lambda c, v: c > v)
    nulls_first = nulls_low != descending
    if value is None:
        same = sa.and_(column.is_(None), later(id_column, row_id))
        # NULLs first: every non-NULL row is still to come.
        return sa.or_(same, column.is_not(None)) if nulls_first else same
    clause = sa.or_(later(column, value),
                    sa.and_(column == value, later(id_column, row_id)))
    if nullable and not nulls_first:
        clause = sa.or_(clause, column.is_(None))
    return clause


def apply(context, select, model, page, marker_scope=None):
    """``select`` limited to the page (plus one row) after the marker.

    ``marker_scope`` restricts where the marker may be found (an ARQ of
    another project is no marker for a non-admin); a marker not found is
    a 400 naming it.
    """
    column = getattr(model, page.sort_key)
    descending = page.sort_dir == 'desc'
    if page.marker is not None:
        find = sa.select(column, model.id).where(model.uuid == page.marker)
        if marker_scope is not None:
            find = marker_scope(find)
        found = context.session.execute(find).first()
        if found is None:
            raise MarkerNotFound(marker=page.marker)
        select = select.where(_after(
            column, model.id, found[0], found[1], descending,
            column.nullable, _nulls_low(context)))
    direction = sa.desc if descending else sa.asc
    return (select.order_by(direction(column), direction(model.id))
            .limit(page.limit + 1))


def split(rows, page):
    """(the page's rows, whether more follow) of a query made by apply."""
    rows = list(rows)
    return rows[:page.limit], len(rows) > page.limit
