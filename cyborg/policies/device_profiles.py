"""Policies of /v2/device_profiles."""
from cyborg.policies import base

GET_ALL = 'cyborg:device_profile:get_all'
GET_ONE = 'cyborg:device_profile:get_one'
CREATE = 'cyborg:device_profile:create'
DELETE = 'cyborg:device_profile:delete'

_PATH = '/v2/device_profiles'

rules = [
    base.api_rule(GET_ALL, base.PROJECT_READER_OR_ADMIN,
                  'List device profiles.', [{'path': _PATH, 'method': 'GET'}],
                  legacy=base.ADMIN_OR_OWNER),
    base.api_rule(GET_ONE, base.PROJECT_READER_OR_ADMIN,
                  'Show a device profile.',
                  [{'path': _PATH + '/{uuid_or_name}', 'method': 'GET'}],
                  legacy=base.ADMIN_OR_OWNER),
    base.api_rule(CREATE, base.ADMIN_API, 'Create a device profile.',
                  [{'path': _PATH, 'method': 'POST'}], legacy=base.IS_ADMIN),
    base.api_rule(DELETE, base.ADMIN_API, 'Delete device profiles.',
                  [{'path': _PATH, 'method': 'DELETE'},
                   {'path': _PATH + '/{uuid_or_name}', 'method': 'DELETE'}],
                  legacy=base.IS_ADMIN),
]
