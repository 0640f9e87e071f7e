"""Base rules that the API rules are built from (api.md §6.3)."""
from oslo_policy import policy

ADMIN_API = 'rule:admin_api'
IS_ADMIN = 'rule:is_admin'
ADMIN_OR_OWNER = 'rule:admin_or_owner'
PROJECT_READER_OR_ADMIN = 'rule:project_reader_or_admin'
PROJECT_MEMBER_OR_ADMIN = 'rule:project_member_or_admin'
PROJECT_MANAGER_OR_ADMIN = 'rule:project_manager_or_admin'
PROJECT_MEMBER_OR_SERVICE = 'rule:project_member_or_service'

_LEGACY_OWNER = 'is_admin:True or project_id:%(project_id)s'
_DEPRECATED_REASON = ('cyborg now uses the default roles of keystone '
                      '(reader, member, manager, admin, service) with '
                      'project scope.')
_DEPRECATED_SINCE = '2023.2'


def _deprecated(name):
    return policy.DeprecatedRule(name=name, check_str=_LEGACY_OWNER,
                                 deprecated_reason=_DEPRECATED_REASON,
                                 deprecated_since=_DEPRECATED_SINCE)


rules = [
    policy.RuleDefault('admin_api', 'role:admin',
                       description='Cloud administrator.'),
    policy.RuleDefault('project_admin_api',
                       'role:admin and project_id:%(project_id)s',
                       description='Administrator of the project.'),
    policy.RuleDefault('project_member_api',
                       'role:member and project_id:%(project_id)s',
                       description='Member of the project.'),
    policy.RuleDefault('project_reader_api',
                       'role:reader and project_id:%(project_id)s',
                       description='Reader of the project.'),
    policy.RuleDefault('project_manager_api',
                       'role:manager and project_id:%(project_id)s',
                       description='Manager of the project.'),
    policy.RuleDefault('service_api', 'role:service',
                       description='Another OpenStack service.'),
    policy.RuleDefault('project_member_or_admin',
                       'rule:project_member_api or rule:admin_api',
                       description='Project member or cloud admin.',
                       deprecated_rule=_deprecated('project_member_or_admin')),
    policy.RuleDefault('project_reader_or_admin',
                       'rule:project_reader_api or rule:admin_api',
                       description='Project reader or cloud admin.',
                       deprecated_rule=_deprecated('project_reader_or_admin')),
    policy.RuleDefault('project_manager_or_admin',
                       'rule:project_manager_api or rule:admin_api',
                       description='Project manager or cloud admin.',
                       deprecated_rule=_deprecated(
                           'project_manager_or_admin')),
    policy.RuleDefault('project_member_or_service',
                       'rule:project_member_api or rule:service_api',
                       description='Project member or another service.',
                       deprecated_rule=_deprecated(
                           'project_member_or_service')),
    # Legacy rules kept registered for operators' custom policy files.
    policy.RuleDefault('public_api', 'is_public_api:True',
                       description='Internal flag for public API routes.'),
    policy.RuleDefault('allow', '@', description='Any access.'),
    policy.RuleDefault('deny', '!', description='No access.'),
    policy.RuleDefault('default', 'rule:admin_or_owner',
                       description='Rule used when none matches.'),
    policy.RuleDefault('is_admin', 'rule:admin_api',
                       description='Legacy alias of admin_api.'),
    policy.RuleDefault('admin_or_owner', _LEGACY_OWNER,
                       description='Legacy: admin or same project.'),
    policy.RuleDefault('admin_or_user',
                       'is_admin:True or user_id:%(user_id)s',
                       description='Legacy: admin or same user.'),
]


def api_rule(name, check_str, description, operations, legacy=None):
    """A project-scoped API rule, ORed with ``legacy`` in legacy mode."""
    deprecated = None
    if legacy:
        deprecated = policy.DeprecatedRule(
            name=name, check_str=legacy,
            deprecated_reason=_DEPRECATED_REASON,
            deprecated_since=_DEPRECATED_SINCE)
    return policy.DocumentedRuleDefault(
        name=name, check_str=check_str, description=description,
        operations=operations, scope_types=['project'],
        deprecated_rule=deprecated)
