"""/v2/device_profiles (api.md §8, decisions Q2-Q7, Q21)."""
from cyborg.api import expose
from cyborg.api import microversion
from cyborg.api import router
from cyborg.api.schemas import common
from cyborg.api.schemas import device_profile as schema
from cyborg.api.schemas import paging
from cyborg.api.schemas import responses
from cyborg.api.views import device_profiles as views
from cyborg.common import exception
from cyborg.db.queries import device_profiles as queries
from cyborg.notifications import events as notifications
from cyborg.policies import device_profiles as policy

LIST_QUERY = common.query(dict(schema.LIST_QUERY['properties'],
                               **paging.properties(queries.SORT_KEYS)))


@router.handler(query=LIST_QUERY, response=responses.DEVICE_PROFILE_LIST)
def list_profiles(req):
    req.context.can(policy.GET_ALL)
    params = req.query(*paging.allowed(req.version, ('name',)))
    page = paging.of(req, params)
    names = None
    if 'name' in params:
        value = params['name']
        names = [n for n in value.split(',')] if value else []
    if page is None:
        profiles = queries.list_profiles(req.context, names=names)
        return views.device_profile_list(req, profiles)
    profiles, more = queries.list_profiles(req.context, names=names,
                                           page=page)
    return views.device_profile_list(req, profiles, more)


@router.handler(response=responses.DEVICE_PROFILE_SHOW, errors=(404,))
def show(req, uuid_or_name):
    req.context.can(policy.GET_ONE)
    req.query()
    if expose.is_uuid_like(uuid_or_name):
        profile = queries.get_by_uuid(req.context, uuid_or_name)
    else:
        microversion.require(req.version,
                             microversion.DEVICE_PROFILE_BY_NAME)
        profile = queries.get_by_name(req.context, uuid_or_name)
    return views.device_profile_show(req, profile)


@router.handler(status=201, body=schema.CREATE,
                response=responses.DEVICE_PROFILE, errors=(409, 500))
def create(req):
    req.context.can(policy.CREATE)
    req.query()
    profile = schema.parse_create(req.body(schema.BODY_NAME))
    created = queries.create(req.context, profile)
    notifications.device_profile_created(req.context, created)
    return views.device_profile(req, created)


@router.handler(status=204, query=schema.DELETE_QUERY, errors=(404, 409))
def delete_collection(req):
    req.context.can(policy.DELETE)
    value = req.query('value').get('value')
    if not value:
        raise exception.MissingArgument(name='value')
    _delete(req, value)


@router.handler(status=204, errors=(404, 409))
def delete_item(req, uuid_or_name):
    req.context.can(policy.DELETE)
    req.query()
    _delete(req, uuid_or_name)


def _delete(req, value):
    if expose.is_uuid_like(value):
        deleted = queries.delete(req.context, uuid=value)
    else:
        deleted = queries.delete(req.context, names=value.split(','))
    notifications.device_profiles_deleted(req.context, deleted)


ROUTES = [
    ('/v2/device_profiles', {
        'GET': list_profiles,
        'POST': create,
        'DELETE': delete_collection,
        'PATCH': router.NOT_FOUND,
    }),
    ('/v2/device_profiles/{uuid_or_name}', {
        'GET': show,
        'DELETE': delete_item,
    }),
]
