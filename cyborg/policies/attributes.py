"""Policies of /v2/attributes."""
from cyborg.policies import base

GET_ALL = 'cyborg:attribute:get_all'
GET_ONE = 'cyborg:attribute:get_one'
CREATE = 'cyborg:attribute:create'
DELETE = 'cyborg:attribute:delete'

_PATH = '/v2/attributes'

rules = [
    base.api_rule(GET_ALL, base.PROJECT_MANAGER_OR_ADMIN, 'List attributes.',
                  [{'path': _PATH, 'method': 'GET'}], legacy=base.ADMIN_API),
    base.api_rule(GET_ONE, base.PROJECT_MANAGER_OR_ADMIN,
                  'Show an attribute.',
                  [{'path': _PATH + '/{uuid}', 'method': 'GET'}],
                  legacy=base.ADMIN_API),
    base.api_rule(CREATE, base.ADMIN_API, 'Create an attribute.',
                  [{'path': _PATH, 'method': 'POST'}]),
    base.api_rule(DELETE, base.ADMIN_API, 'Delete an attribute.',
                  [{'path': _PATH + '/{uuid}', 'method': 'DELETE'}]),
]
