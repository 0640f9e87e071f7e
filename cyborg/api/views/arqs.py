"""ARQ representation (api.md §9.1), from the dicts of db.queries.arqs."""
from cyborg.api import microversion
from cyborg.api.views import common
from cyborg.common import states

COLLECTION = 'accelerator_requests'


def arq(req, row):
    """Upstream key order; handle fields already derived by the query.

    From 2.4, ``state_reason`` last: why the last bind, unbind or delete
    failed, or null. While a bind runs the column names its conductor
    (an internal marker), shown as null.
    """
    body = {
        'uuid': row['uuid'],
        'state': row['state'],
        'device_profile_name': row['device_profile_name'],
        'device_profile_group_id': row['device_profile_group_id'],
        'hostname': row['hostname'],
        'device_rp_uuid': row['device_rp_uuid'],
        'instance_uuid': row['instance_uuid'],
        'project_id': row['project_id'],
        'attach_handle_type': row['attach_handle_type'],
        'attach_handle_uuid': row['attach_handle_uuid'],
        'attach_handle_info': row['attach_handle_info'],
        'links': common.self_links(req, COLLECTION, row['uuid']),
        'created_at': common.timestamp(row['created_at']),
        'updated_at': common.timestamp(row['updated_at']),
    }
    if microversion.at_least(req.version, microversion.ARQ_STATE_REASON):
        body['state_reason'] = (None if row['state'] == states.BIND_STARTED
                                else public_reason(row['state_reason']))
    return body


_TRACEBACK = 'Traceback (most recent call last)'


def public_reason(text):
    """What a client sees of a stored failure reason: its first line.

    A reason quotes the exception that failed the step, and an exception
    that crossed RPC carries the remote traceback after its message; that
    never reaches a client.
    """
    if text is None:
        return None
    text = text.split(_TRACEBACK, 1)[0]
    return text.split('\n', 1)[0].strip() or None


def arq_list(req, rows, more=None):
    """``more`` (2.4 pages): whether a next link is due."""
    items = [arq(req, row) for row in rows]
    if more is None:
        return {'arqs': items}
    return common.paged(req, 'arqs', items, COLLECTION, more)
