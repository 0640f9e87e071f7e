"""Device representations (api.md §10.1)."""
from cyborg.api import microversion
from cyborg.api.views import common

COLLECTION = 'devices'


def device(req, row):
    """Upstream key order; ``status`` only from microversion 2.3."""
    body = {
        'uuid': row.uuid,
        'type': row.type,
        'vendor': row.vendor,
        'model': row.model,
        'std_board_info': row.std_board_info,
        'vendor_board_info': row.vendor_board_info,
        'hostname': row.hostname,
    }
    if microversion.at_least(req.version, microversion.DEVICE_STATUS):
        body['status'] = row.status
    body['links'] = common.self_links(req, COLLECTION, row.uuid)
    body['created_at'] = common.timestamp(row.created_at)
    body['updated_at'] = common.timestamp(row.updated_at)
    return body


def device_list(req, rows, more=None):
    items = [device(req, row) for row in rows]
    if more is None:
        return {'devices': items}
    return common.paged(req, 'devices', items, COLLECTION, more)
