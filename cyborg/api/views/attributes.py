"""Attribute representations (api.md §12.1)."""
from cyborg.api.views import common

COLLECTION = 'attributes'


def attribute(req, row):
    """Upstream key order: links last."""
    return {
        'uuid': row.uuid,
        'deployable_id': row.deployable_id,
        'key': row.key,
        'value': row.value,
        'created_at': common.timestamp(row.created_at),
        'updated_at': common.timestamp(row.updated_at),
        'links': common.self_links(req, COLLECTION, row.uuid),
    }


def attribute_list(req, rows, more=None):
    items = [attribute(req, row) for row in rows]
    if more is None:
        return {'attributes': items}
    return common.paged(req, 'attributes', items, COLLECTION, more)
