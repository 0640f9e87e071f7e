"""Policies of /v2/deployables."""
from cyborg.policies import base

GET_ALL = 'cyborg:deployable:get_all'
GET_ONE = 'cyborg:deployable:get_one'
PROGRAM = 'cyborg:deployable:program'

_PATH = '/v2/deployables'

rules = [
    base.api_rule(GET_ALL, base.PROJECT_MANAGER_OR_ADMIN, 'List deployables.',
                  [{'path': _PATH, 'method': 'GET'}], legacy=base.ADMIN_API),
    base.api_rule(GET_ONE, base.PROJECT_MANAGER_OR_ADMIN,
                  'Show a deployable.',
                  [{'path': _PATH + '/{uuid}', 'method': 'GET'}],
                  legacy=base.ADMIN_API),
    base.api_rule(PROGRAM, base.ADMIN_API, 'Program an FPGA deployable.',
                  [{'path': _PATH + '/{uuid}/program', 'method': 'PATCH'}]),
]
