"""Policies of /v2/devices."""
from cyborg.policies import base

GET_ALL = 'cyborg:device:get_all'
GET_ONE = 'cyborg:device:get_one'
ENABLE = 'cyborg:device:enable'
DISABLE = 'cyborg:device:disable'

_PATH = '/v2/devices'

rules = [
    base.api_rule(GET_ALL, base.PROJECT_MANAGER_OR_ADMIN, 'List devices.',
                  [{'path': _PATH, 'method': 'GET'}], legacy=base.ADMIN_API),
    base.api_rule(GET_ONE, base.PROJECT_MANAGER_OR_ADMIN, 'Show a device.',
                  [{'path': _PATH + '/{uuid}', 'method': 'GET'}],
                  legacy=base.ADMIN_API),
    base.api_rule(ENABLE, base.ADMIN_API, 'Enable a device.',
                  [{'path': _PATH + '/{uuid}/enable', 'method': 'POST'}]),
    base.api_rule(DISABLE, base.ADMIN_API, 'Disable a device.',
                  [{'path': _PATH + '/{uuid}/disable', 'method': 'POST'}]),
]
