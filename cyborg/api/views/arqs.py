"""ARQ representation (api.md §9.1), from the dicts of db.queries.arqs."""
from cyborg.api.views import common

COLLECTION = 'accelerator_requests'


def arq(req, row):
    """Upstream key order; handle fields already derived by the query."""
    return {
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


def arq_list(req, rows):
    return {'arqs': [arq(req, row) for row in rows]}
