"""/v2/attributes (api.md §12; decisions Q18, Q20, Q21)."""
from cyborg.api import expose
from cyborg.api import router
from cyborg.api.schemas import attribute as schema
from cyborg.api.schemas import common
from cyborg.api.schemas import paging
from cyborg.api.schemas import responses
from cyborg.api.views import attributes as views
from cyborg.common import exception
from cyborg.db.queries import attributes as attributes_db
from cyborg.policies import attributes as policies

LIST_QUERY = common.query(dict(schema.LIST_QUERY['properties'],
                               **paging.properties(attributes_db.SORT_KEYS)))


@router.handler(query=LIST_QUERY, response=responses.ATTRIBUTE_LIST)
def get_all(req):
    req.context.can(policies.GET_ALL)
    params = req.query(*paging.allowed(req.version, ('deployable_id', 'key')))
    deployable_id, key = schema.parse_list(params)
    page = paging.of(req, params)
    if page is None:
        rows = attributes_db.list_attributes(req.context, deployable_id, key)
        return views.attribute_list(req, rows)
    rows, more = attributes_db.list_attributes(req.context, deployable_id,
                                               key, page=page)
    return views.attribute_list(req, rows, more)


@router.handler(response=responses.ATTRIBUTE, errors=(404,))
def get_one(req, uuid):
    req.context.can(policies.GET_ONE)
    req.query()
    expose.require_uuid(uuid, 'uuid')
    return views.attribute(req, attributes_db.get_by_uuid(req.context, uuid))


@router.handler(status=201, body=schema.CREATE,
                response=responses.ATTRIBUTE, errors=(404, 409))
def create(req):
    req.context.can(policies.CREATE)
    req.query()
    attr = schema.parse_create(req.body(schema.BODY_NAME))
    row = attributes_db.create(req.context, **attr)
    return views.attribute(req, row)


@router.handler(status=204, errors=(404,))
def delete(req, uuid):
    """The uuid is not format-checked: anything unknown is 404 (Q18)."""
    req.context.can(policies.DELETE)
    req.query()
    attributes_db.delete(req.context, uuid)


@router.handler(status=204)
def delete_collection(req):
    req.context.can(policies.DELETE)
    raise exception.MissingArgument(name='uuid')


ROUTES = [
    ('/v2/attributes', {'GET': get_all, 'POST': create,
                        'PATCH': router.NOT_FOUND,
                        'DELETE': delete_collection}),
    ('/v2/attributes/{uuid}', {'GET': get_one, 'DELETE': delete}),
]
