"""Deployable representations (api.md §11.1; decision Q17)."""
import json

from cyborg.api.views import common

COLLECTION = 'deployables'


def deployable(req, row, attributes):
    """Upstream key order.

    ``attributes`` are the (key, value) pairs of the deployable in storage
    order; ``attributes_list`` is their JSON text, a string (Q17).
    """
    return {
        'uuid': row.uuid,
        'parent_id': row.parent_id,
        'root_id': row.root_id,
        'name': row.name,
        'num_accelerators': row.num_accelerators,
        'device_id': row.device_id,
        'attributes_list': json.dumps([{k: v} for k, v in attributes]),
        'rp_uuid': row.rp_uuid,
        'driver_name': row.driver_name,
        'bitstream_id': row.bitstream_id,
        'links': [req.link(COLLECTION, row.uuid),
                  req.link(COLLECTION, row.uuid, rel='bookmark',
                           versioned=False)],
        'created_at': common.timestamp(row.created_at),
        'updated_at': common.timestamp(row.updated_at),
    }


def deployable_list(req, rows, attributes, more=None):
    """``attributes`` maps deployable id -> (key, value) pairs."""
    items = [deployable(req, row, attributes.get(row.id, []))
             for row in rows]
    if more is None:
        return {'deployables': items}
    return common.paged(req, 'deployables', items, COLLECTION, more)
