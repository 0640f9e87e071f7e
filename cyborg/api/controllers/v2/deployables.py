"""/v2/deployables (api.md §11)."""
from cyborg.api import expose
from cyborg.api import router
from cyborg.api.schemas import filters
from cyborg.api.schemas import paging
from cyborg.api.schemas import program as program_schema
from cyborg.api.schemas import responses
from cyborg.api.views import deployables as views
from cyborg.db.queries import deployables as deployables_db
from cyborg.policies import deployables as policies


def _render(req, row):
    pairs = deployables_db.attribute_pairs(req.context, [row.id])
    return views.deployable(req, row, pairs[row.id])


LIST_QUERY = filters.query_schema(
    extra=paging.properties(deployables_db.SORT_KEYS))


@router.handler(query=LIST_QUERY, response=responses.DEPLOYABLE_LIST)
def get_all(req):
    req.context.can(policies.GET_ALL)
    params = filters.check_names(req.http.GET,
                                 plain=paging.allowed(req.version, ()),
                                 schema=LIST_QUERY)
    page = paging.of(req, params)
    query = filters.parse(params, deployables_db.COLUMNS,
                          filter_fields=('name',), paged=page is not None)
    more = None
    if page is None:
        rows = deployables_db.list_deployables(req.context, query)
    else:
        rows, more = deployables_db.list_deployables(req.context, query,
                                                     page=page)
    pairs = deployables_db.attribute_pairs(req.context,
                                           [row.id for row in rows])
    return views.deployable_list(req, rows, pairs, more)


@router.handler(response=responses.DEPLOYABLE, errors=(404,))
def get_one(req, uuid):
    req.context.can(policies.GET_ONE)
    req.query()
    expose.require_uuid(uuid, 'uuid')
    return _render(req, deployables_db.get_by_uuid(req.context, uuid))


@router.handler(body=program_schema.PROGRAM, response=responses.DEPLOYABLE,
                errors=(404, 409))
def program(req, uuid):
    """Program an FPGA; answers the deployable as it was before."""
    req.context.can(policies.PROGRAM)
    req.query()
    expose.require_uuid(uuid, 'uuid')
    image_uuid = program_schema.image_uuid(
        req.body(program_schema.BODY_NAME))
    row = deployables_db.get_by_uuid(req.context, uuid)
    body = _render(req, row)
    req.conductor.deployable_program(req.context, uuid, image_uuid)
    return body


ROUTES = [
    ('/v2/deployables', {'GET': get_all, 'PATCH': router.NOT_FOUND}),
    ('/v2/deployables/{uuid}', {'GET': get_one}),
    ('/v2/deployables/{uuid}/program', {'GET': router.NOT_FOUND,
                                        'PATCH': program}),
]
