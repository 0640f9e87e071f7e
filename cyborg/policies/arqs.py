"""Policies of /v2/accelerator_requests."""
from cyborg.policies import base

GET_ALL = 'cyborg:arq:get_all'
GET_ALL_PROJECTS = 'cyborg:arq:get_all_projects'
GET_ONE = 'cyborg:arq:get_one'
CREATE = 'cyborg:arq:create'
UPDATE = 'cyborg:arq:update'
DELETE = 'cyborg:arq:delete'

_PATH = '/v2/accelerator_requests'

rules = [
    base.api_rule(GET_ALL, base.PROJECT_READER_OR_ADMIN,
                  'List accelerator requests.',
                  [{'path': _PATH, 'method': 'GET'}],
                  legacy=base.ADMIN_OR_OWNER),
    base.api_rule(GET_ALL_PROJECTS, base.ADMIN_API,
                  'List accelerator requests of another project or of '
                  'every project (the project_id and all_projects query '
                  'parameters, microversion 2.4 and later). Without them '
                  'a caller with the admin role sees every project, '
                  'others their own.',
                  [{'path': _PATH, 'method': 'GET'}]),
    base.api_rule(GET_ONE, base.PROJECT_READER_OR_ADMIN,
                  'Show an accelerator request.',
                  [{'path': _PATH + '/{uuid}', 'method': 'GET'}],
                  legacy=base.ADMIN_OR_OWNER),
    base.api_rule(CREATE, base.PROJECT_MEMBER_OR_SERVICE,
                  'Create accelerator requests.',
                  [{'path': _PATH, 'method': 'POST'}],
                  legacy=base.PROJECT_MEMBER_OR_ADMIN),
    base.api_rule(UPDATE, base.PROJECT_MEMBER_OR_SERVICE,
                  'Bind or unbind accelerator requests.',
                  [{'path': _PATH, 'method': 'PATCH'},
                   {'path': _PATH + '/{uuid}', 'method': 'PATCH'}],
                  legacy=base.ADMIN_OR_OWNER),
    base.api_rule(DELETE, base.PROJECT_MEMBER_OR_SERVICE,
                  'Delete accelerator requests.',
                  [{'path': _PATH, 'method': 'DELETE'},
                   {'path': _PATH + '/{uuid}', 'method': 'DELETE'}],
                  legacy=base.ADMIN_OR_OWNER),
]
