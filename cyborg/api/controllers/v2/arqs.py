"""/v2/accelerator_requests (api.md §9; decisions Q8, Q9, Q11, Q14, Q21).

Reads and the create fan-out (a pure DB write, one transaction) are done
here; delete and bind/unbind go to the conductor after the API decided
authorization: policy, project scoping and the service-token gate (§6.6).
"""
from cyborg.api import expose
from cyborg.api import router
from cyborg.api.schemas import arq as schema
from cyborg.api.schemas import common
from cyborg.api.schemas import paging
from cyborg.api.schemas import responses
from cyborg.api.views import arqs as views
from cyborg.api.views import device_profiles as dp_views
from cyborg.common import exception
from cyborg.common import states
from cyborg.db.queries import arqs as queries
from cyborg.notifications import events as notifications
from cyborg.policies import arqs as policy

LIST_QUERY = common.query(dict(
    schema.LIST_QUERY['properties'], **schema.LIST_FILTERS,
    **paging.properties(queries.SORT_KEYS)))
_LIST_NAMES = ('instance', 'bind_state')


@router.handler(query=LIST_QUERY, response=responses.ARQ_LIST,
                errors=(423,))
def list_arqs(req):
    req.context.can(policy.GET_ALL)
    page = None
    if paging.is_paged(req.version):
        params = req.query(*paging.allowed(
            req.version, _LIST_NAMES + schema.LIST_FILTER_NAMES))
        page = paging.of(req, params)
    else:
        params = req.query(*_LIST_NAMES)
    instance = params.get('instance')
    if instance is not None:
        expose.require_uuid(instance, 'instance')
    bind_state = params.get('bind_state')
    if page is not None:
        return _list_page(req, params, page, instance, bind_state)
    if bind_state is None:
        rows = queries.list_arqs(req.context, instance_uuid=instance)
    elif bind_state != states.BIND_STATE_RESOLVED:
        raise exception.BindStateUnsupported(state=bind_state)
    elif instance is None:
        rows = queries.list_arqs(req.context, states_in=states.RESOLVED)
    else:
        rows = queries.list_arqs(req.context, instance_uuid=instance)
        if any(r['state'] not in states.RESOLVED for r in rows):
            raise exception.ARQsNotResolved(instance=instance)
    return views.arq_list(req, rows)


def _projects(req, params):
    """The project scope a 2.4 list asks for, once policy allows it."""
    if not any(name in params for name in schema.PROJECT_FILTERS):
        return None
    req.context.can(policy.GET_ALL_PROJECTS)
    if 'project_id' in params:
        return params['project_id']
    if params['all_projects'] in ('true', '1'):
        return queries.ALL_PROJECTS
    return req.context.project_id


def _list_page(req, params, page, instance, bind_state):
    """A 2.4 list: the 2.0 filters as they were, the new ones, a page."""
    projects = _projects(req, params)
    exact = {name: params[name] for name in schema.LIST_FILTER_NAMES
             if name in params and name not in schema.PROJECT_FILTERS}
    states_in = None
    if bind_state is not None:
        if bind_state != states.BIND_STATE_RESOLVED:
            raise exception.BindStateUnsupported(state=bind_state)
        states_in = states.RESOLVED
        if instance is not None and queries.any_unresolved(
                req.context, instance, projects):
            raise exception.ARQsNotResolved(instance=instance)
    rows, more = queries.list_arqs(
        req.context, instance_uuid=instance, states_in=states_in,
        exact=exact, projects=projects, page=page)
    return views.arq_list(req, rows, more)


@router.handler(response=responses.ARQ, errors=(404,))
def show(req, uuid):
    req.context.can(policy.GET_ONE)
    req.query()
    expose.require_uuid(uuid, 'uuid')
    return views.arq(req, queries.get(req.context, uuid))


@router.handler(status=201, body=schema.CREATE, response=responses.ARQ_LIST,
                errors=(404,))
def create(req):
    req.context.can(policy.CREATE)
    req.query()
    name = schema.parse_create(req.body(schema.CREATE_BODY_NAME))
    rows = queries.create_for_profile(req.context, name, _group_ids)
    notifications.arqs_created(req.context, rows)
    return views.arq_list(req, rows)


def _group_ids(profile):
    return schema.group_ids(dp_views.groups_of(profile), profile.name)


@router.handler(status=204, query=schema.DELETE_QUERY, errors=(404, 409))
def delete_collection(req):
    req.context.can(policy.DELETE)
    params = req.query('arqs', 'instance')
    arqs, instance = params.get('arqs'), params.get('instance')
    if bool(arqs) == bool(instance):  # both, neither, or empty (Q11)
        raise exception.ARQDeleteArguments()
    if arqs:
        _delete_by_uuids(req, arqs.split(','))
        return
    expose.require_uuid(instance, 'instance')
    if not req.has_service_token():
        raise exception.ServiceTokenRequired()
    req.conductor.arq_delete_by_instance_uuid(req.context, instance)


@router.handler(status=204, errors=(404, 409))
def delete_item(req, uuid):
    req.context.can(policy.DELETE)
    req.query()
    _delete_by_uuids(req, [uuid])


def _delete_by_uuids(req, uuids):
    rows = queries.get_many(req.context, uuids)   # 404, nothing deleted
    if not req.has_service_token():
        for row in rows:
            if row['instance_uuid']:
                raise exception.ARQBoundToInstance(
                    arq=row['uuid'], instance=row['instance_uuid'])
    req.conductor.arq_delete_by_uuid(req.context,
                                     [row['uuid'] for row in rows])


@router.handler(status=202, body=schema.PATCH, errors=(404, 409))
def patch(req, uuid=None):
    """Bind or unbind; the path segment, if any, is ignored (§9.7)."""
    req.context.can(policy.UPDATE)
    req.query()
    body = req.body(schema.PATCH_BODY_NAME)
    valid_fields = schema.parse_patch(body, req.version, req.context)
    if not req.has_service_token():
        raise exception.ServiceTokenRequired()
    req.conductor.arq_apply_patch(req.context, body, valid_fields)


ROUTES = [
    ('/v2/accelerator_requests', {
        'GET': list_arqs,
        'POST': create,
        'PATCH': patch,
        'DELETE': delete_collection,
    }),
    ('/v2/accelerator_requests/{uuid}', {
        'GET': show,
        'PATCH': patch,
        'DELETE': delete_item,
    }),
]
