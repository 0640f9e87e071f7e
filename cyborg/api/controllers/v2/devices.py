"""/v2/devices (api.md §10).

Devices are created by agent reports, never through the API. Enable and
disable go to the conductor, which also updates Placement.
"""
from cyborg.api import expose
from cyborg.api import router
from cyborg.api.schemas import filters
from cyborg.api.schemas import paging
from cyborg.api.schemas import responses
from cyborg.api.views import devices as views
from cyborg.db.queries import devices as devices_db
from cyborg.policies import devices as policies

_EXACT = ('type', 'vendor', 'hostname')
LIST_QUERY = filters.query_schema(
    _EXACT, paging.properties(devices_db.SORT_KEYS))


@router.handler(query=LIST_QUERY, response=responses.DEVICE_LIST)
def get_all(req):
    req.context.can(policies.GET_ALL)
    params = filters.check_names(req.http.GET,
                                 plain=paging.allowed(req.version, _EXACT),
                                 schema=LIST_QUERY)
    page = paging.of(req, params)
    query = filters.parse(params, devices_db.COLUMNS, exact_fields=_EXACT,
                          paged=page is not None)
    if page is None:
        return views.device_list(req, devices_db.list_devices(req.context,
                                                              query))
    rows, more = devices_db.list_devices(req.context, query, page=page)
    return views.device_list(req, rows, more)


@router.handler(response=responses.DEVICE, errors=(404,))
def get_one(req, uuid):
    """The uuid is not format-checked: anything unknown is 404 (Q18)."""
    req.context.can(policies.GET_ONE)
    req.query()
    return views.device(req, devices_db.get_by_uuid(req.context, uuid))


def _set_enabled(req, uuid, rule, enabled):
    req.context.can(rule)
    req.query()
    expose.no_body(req.http, req.conf.api.max_request_body_size)
    req.conductor.device_set_enabled(req.context, uuid, enabled)


@router.handler(status=204, errors=(404,))
def enable(req, uuid):
    _set_enabled(req, uuid, policies.ENABLE, True)


@router.handler(status=204, errors=(404,))
def disable(req, uuid):
    _set_enabled(req, uuid, policies.DISABLE, False)


ROUTES = [
    ('/v2/devices', {'GET': get_all, 'PATCH': router.NOT_FOUND}),
    ('/v2/devices/{uuid}', {'GET': get_one}),
    ('/v2/devices/{uuid}/enable', {'GET': router.NOT_FOUND, 'POST': enable}),
    ('/v2/devices/{uuid}/disable', {'GET': router.NOT_FOUND,
                                    'POST': disable}),
]
