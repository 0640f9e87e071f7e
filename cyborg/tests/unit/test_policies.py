"""The registered policy defaults are exactly those of api.md §6.3, and our
oslo.policy defaults are new defaults + scope enforcement (decisions Q16)."""
import os

from oslo_config import cfg
from oslo_policy import policy as oslo_policy
import pytest

from cyborg import context
from cyborg import policies
from cyborg.common import exception
from cyborg.conf import CONF

LEGACY_OWNER = 'is_admin:True or project_id:%(project_id)s'

BASE_RULES = {
    'admin_api': 'role:admin',
    'project_admin_api': 'role:admin and project_id:%(project_id)s',
    'project_member_api': 'role:member and project_id:%(project_id)s',
    'project_reader_api': 'role:reader and project_id:%(project_id)s',
    'project_manager_api': 'role:manager and project_id:%(project_id)s',
    'service_api': 'role:service',
    'project_member_or_admin': 'rule:project_member_api or rule:admin_api',
    'project_reader_or_admin': 'rule:project_reader_api or rule:admin_api',
    'project_manager_or_admin':
        'rule:project_manager_api or rule:admin_api',
    'project_member_or_service':
        'rule:project_member_api or rule:service_api',
    'public_api': 'is_public_api:True',
    'allow': '@',
    'deny': '!',
    'default': 'rule:admin_or_owner',
    'is_admin': 'rule:admin_api',
    'admin_or_owner': LEGACY_OWNER,
    'admin_or_user': 'is_admin:True or user_id:%(user_id)s',
}

BRIDGED = {'project_member_or_admin', 'project_reader_or_admin',
           'project_manager_or_admin', 'project_member_or_service'}

# rule: (check string, deprecated check string or None, operations)
API_RULES = {
    'cyborg:device_profile:get_all': (
        'rule:project_reader_or_admin', 'rule:admin_or_owner',
        [('GET', '/v2/device_profiles')]),
    'cyborg:device_profile:get_one': (
        'rule:project_reader_or_admin', 'rule:admin_or_owner',
        [('GET', '/v2/device_profiles/{uuid_or_name}')]),
    'cyborg:device_profile:create': (
        'rule:admin_api', 'rule:is_admin',
        [('POST', '/v2/device_profiles')]),
    'cyborg:device_profile:delete': (
        'rule:admin_api', 'rule:is_admin',
        [('DELETE', '/v2/device_profiles'),
         ('DELETE', '/v2/device_profiles/{uuid_or_name}')]),
    'cyborg:arq:get_all': (
        'rule:project_reader_or_admin', 'rule:admin_or_owner',
        [('GET', '/v2/accelerator_requests')]),
    'cyborg:arq:get_all_projects': (
        'rule:admin_api', None, [('GET', '/v2/accelerator_requests')]),
    'cyborg:arq:get_one': (
        'rule:project_reader_or_admin', 'rule:admin_or_owner',
        [('GET', '/v2/accelerator_requests/{uuid}')]),
    'cyborg:arq:create': (
        'rule:project_member_or_service', 'rule:project_member_or_admin',
        [('POST', '/v2/accelerator_requests')]),
    'cyborg:arq:update': (
        'rule:project_member_or_service', 'rule:admin_or_owner',
        [('PATCH', '/v2/accelerator_requests'),
         ('PATCH', '/v2/accelerator_requests/{uuid}')]),
    'cyborg:arq:delete': (
        'rule:project_member_or_service', 'rule:admin_or_owner',
        [('DELETE', '/v2/accelerator_requests'),
         ('DELETE', '/v2/accelerator_requests/{uuid}')]),
    'cyborg:device:get_all': (
        'rule:project_manager_or_admin', 'rule:admin_api',
        [('GET', '/v2/devices')]),
    'cyborg:device:get_one': (
        'rule:project_manager_or_admin', 'rule:admin_api',
        [('GET', '/v2/devices/{uuid}')]),
    'cyborg:device:enable': (
        'rule:admin_api', None, [('POST', '/v2/devices/{uuid}/enable')]),
    'cyborg:device:disable': (
        'rule:admin_api', None, [('POST', '/v2/devices/{uuid}/disable')]),
    'cyborg:deployable:get_all': (
        'rule:project_manager_or_admin', 'rule:admin_api',
        [('GET', '/v2/deployables')]),
    'cyborg:deployable:get_one': (
        'rule:project_manager_or_admin', 'rule:admin_api',
        [('GET', '/v2/deployables/{uuid}')]),
    'cyborg:deployable:program': (
        'rule:admin_api', None,
        [('PATCH', '/v2/deployables/{uuid}/program')]),
    'cyborg:attribute:get_all': (
        'rule:project_manager_or_admin', 'rule:admin_api',
        [('GET', '/v2/attributes')]),
    'cyborg:attribute:get_one': (
        'rule:project_manager_or_admin', 'rule:admin_api',
        [('GET', '/v2/attributes/{uuid}')]),
    'cyborg:attribute:create': (
        'rule:admin_api', None, [('POST', '/v2/attributes')]),
    'cyborg:attribute:delete': (
        'rule:admin_api', None, [('DELETE', '/v2/attributes/{uuid}')]),
}


def _rules():
    return {rule.name: rule for rule in policies.list_rules()}


def test_no_duplicate_and_no_unknown_rules():
    names = [rule.name for rule in policies.list_rules()]
    assert len(names) == len(set(names))
    assert set(names) == set(BASE_RULES) | set(API_RULES)


@pytest.mark.parametrize('name', sorted(BASE_RULES))
def test_base_rule(name):
    rule = _rules()[name]
    assert rule.check_str == BASE_RULES[name]
    assert not isinstance(rule, oslo_policy.DocumentedRuleDefault)
    if name in BRIDGED:
        assert rule.deprecated_rule.check_str == LEGACY_OWNER
        assert rule.deprecated_rule.name == name
    else:
        assert rule.deprecated_rule is None


@pytest.mark.parametrize('name', sorted(API_RULES))
def test_api_rule(name):
    check, deprecated, operations = API_RULES[name]
    rule = _rules()[name]
    assert isinstance(rule, oslo_policy.DocumentedRuleDefault)
    assert rule.check_str == check
    assert rule.scope_types == ['project']
    assert [(op['method'], op['path']) for op in rule.operations] == \
        operations
    assert rule.description
    if deprecated is None:
        assert rule.deprecated_rule is None
    else:
        assert rule.deprecated_rule.check_str == deprecated
        assert rule.deprecated_rule.name == name
        assert rule.deprecated_rule.deprecated_reason
        assert rule.deprecated_rule.deprecated_since


def test_rule_constants_match_names():
    from cyborg.policies import arqs
    from cyborg.policies import attributes
    from cyborg.policies import deployables
    from cyborg.policies import device_profiles
    from cyborg.policies import devices
    constants = set()
    for module in (arqs, attributes, deployables, device_profiles, devices):
        constants.update(value for key, value in vars(module).items()
                         if key.isupper() and isinstance(value, str)
                         and value.startswith('cyborg:'))
    assert constants == set(API_RULES)


def _assert_our_defaults(conf):
    # decisions.md Q16: new defaults and scope enforcement are on. Recent
    # oslo.policy has no enforce_scope option any more: scope is then
    # always enforced (checked below with a system-scoped token).
    assert conf.oslo_policy.enforce_new_defaults is True
    if 'enforce_scope' in conf.oslo_policy:
        assert conf.oslo_policy.enforce_scope is True


def test_service_defaults():
    _assert_our_defaults(CONF)


def test_set_policy_defaults_on_fresh_config():
    conf = cfg.ConfigOpts()
    policies.set_policy_defaults(conf)
    conf([], project='cyborg-test')
    _assert_our_defaults(conf)


# -- enforcement, the two policy modes -------------------------------------

def _enforcer(legacy):
    conf = cfg.ConfigOpts()
    policies.set_policy_defaults(conf)
    conf([], project='cyborg-test')
    conf.set_override('enforce_new_defaults', not legacy, 'oslo_policy')
    enforcer = oslo_policy.Enforcer(conf)
    enforcer.suppress_deprecation_warnings = True
    enforcer.register_defaults(policies.list_rules())
    return enforcer


def _creds(roles, project='p1', system_scope=None):
    return context.RequestContext(user_id='u1', project_id=project,
                                  roles=roles, system_scope=system_scope)


def _allowed(enforcer, rule, ctx):
    target = {'project_id': ctx.project_id, 'user_id': ctx.user_id}
    try:
        return enforcer.authorize(rule, target, ctx)
    except oslo_policy.InvalidScope:
        return False


@pytest.mark.parametrize('rule, roles, legacy, new', [
    # Legacy mode expands twice (api.md §6.3): any project token reads
    # inventory and writes ARQs; new defaults do not allow that.
    ('cyborg:device:get_all', ['foo'], True, False),
    ('cyborg:attribute:get_one', ['reader'], True, False),
    ('cyborg:arq:create', ['reader'], True, False),
    ('cyborg:arq:delete', ['foo'], True, False),
    ('cyborg:device_profile:get_all', ['service'], True, False),
    # Admin-only rules have no bridge in either mode.
    ('cyborg:device_profile:create', ['manager', 'member', 'reader'],
     False, False),
    ('cyborg:device:enable', ['member', 'reader'], False, False),
    ('cyborg:attribute:delete', ['foo'], False, False),
    ('cyborg:arq:get_all_projects', ['member', 'reader'], False, False),
    ('cyborg:arq:get_all_projects', ['admin'], True, True),
    # A bare admin role: fails the ARQ write rules with new defaults only.
    ('cyborg:arq:update', ['admin'], True, False),
    ('cyborg:arq:create', ['service'], True, True),
    ('cyborg:device:get_all', ['admin'], True, True),
])
def test_modes(rule, roles, legacy, new):
    ctx = _creds(roles)
    assert bool(_allowed(_enforcer(True), rule, ctx)) is legacy
    assert bool(_allowed(_enforcer(False), rule, ctx)) is new


@pytest.mark.parametrize('legacy', [True, False])
@pytest.mark.parametrize('rule', sorted(API_RULES))
def test_system_scope_rejected_in_both_modes(rule, legacy):
    ctx = _creds(['admin', 'manager', 'member', 'reader'], project=None,
                 system_scope='all')
    assert not _allowed(_enforcer(legacy), rule, ctx)


def _ensure_conf_parsed():
    # oslo.policy looks the policy file up, which needs a parsed CONF.
    try:
        CONF.find_file('policy.yaml')
    except cfg.NotInitializedError:
        CONF([], project='cyborg', default_config_files=[],
             default_config_dirs=[])


def test_authorize_raises_policy_not_authorized_for_scope():
    _ensure_conf_parsed()
    policies.reset()
    CONF.set_override('enforce_new_defaults', True, group='oslo_policy')
    try:
        ctx = _creds(['admin'], project=None, system_scope='all')
        with pytest.raises(exception.PolicyNotAuthorized) as e:
            ctx.can('cyborg:device:get_all')
        assert e.value.message == ('Access was denied to the following '
                                   'resource: cyborg:device:get_all')
        with pytest.raises(exception.PolicyNotAuthorized) as e:
            _creds(['reader']).can('cyborg:device_profile:create')
        assert e.value.message.endswith('cyborg:device_profile:create')
        _creds(['admin']).can('cyborg:device_profile:create')
    finally:
        CONF.clear_override('enforce_new_defaults', group='oslo_policy')
        policies.reset()


def test_is_admin_follows_literal_admin_role():
    assert _creds(['admin']).is_admin is True
    assert _creds(['manager', 'member', 'reader']).is_admin is False
    assert _creds(['administrator']).is_admin is False


# -- the decision cache of policies.authorize --------------------------------

def _outcome(ctx, rule):
    try:
        ctx.can(rule)
    except exception.PolicyNotAuthorized:
        return False
    return True


@pytest.fixture
def policy_file(tmp_path, monkeypatch):
    _ensure_conf_parsed()
    path = tmp_path / 'policy.yaml'
    path.write_text('{}\n')
    policies.reset()
    CONF.set_override('policy_file', str(path), group='oslo_policy')
    CONF.set_override('enforce_new_defaults', True, group='oslo_policy')
    yield path
    CONF.clear_override('policy_file', group='oslo_policy')
    CONF.clear_override('enforce_new_defaults', group='oslo_policy')
    policies.reset()


def test_cached_decisions_match_the_enforcer(policy_file):
    rules = sorted(API_RULES)
    personas = [['admin'], ['reader'], ['member'], ['manager'],
                ['service'], [], ['admin', 'reader']]
    for roles in personas:
        for rule in rules:
            ctx = _creds(roles)
            first = _outcome(ctx, rule)         # computed, then cached
            assert _outcome(_creds(roles), rule) is first    # cached
            target = {'project_id': ctx.project_id, 'user_id': ctx.user_id}
            expected = bool(policies.get_enforcer().enforce(
                rule, target, ctx))
            assert first is expected, (roles, rule)


def test_a_changed_policy_file_takes_effect(policy_file, monkeypatch):
    rule = 'cyborg:device_profile:get_all'
    assert _outcome(_creds(['reader']), rule) is True
    policy_file.write_text('"%s": "role:admin"\n' % rule)
    # a cached answer looks for a changed file at most this often
    monkeypatch.setattr(policies, 'RULES_CHECK_SECONDS', 0.0)
    stat = policy_file.stat()
    os.utime(policy_file, (stat.st_atime, stat.st_mtime + 5))
    assert _outcome(_creds(['reader']), rule) is False
    assert _outcome(_creds(['admin']), rule) is True


def test_decisions_depend_on_target_and_project(policy_file):
    rule = 'cyborg:arq:get_one'
    ctx = _creds(['reader'])
    policies.authorize(ctx, rule, {'project_id': ctx.project_id,
                                   'user_id': ctx.user_id})
    with pytest.raises(exception.PolicyNotAuthorized):
        policies.authorize(ctx, rule, {'project_id': 'another-project',
                                       'user_id': ctx.user_id})
    with pytest.raises(exception.PolicyNotAuthorized):
        policies.authorize(ctx, rule, {'project_id': 'another-project',
                                       'user_id': ctx.user_id})


def test_unregistered_rule_is_not_cached(policy_file):
    with pytest.raises(oslo_policy.PolicyNotRegistered):
        _creds(['admin']).can('cyborg:no:such_rule')
    with pytest.raises(oslo_policy.PolicyNotRegistered):
        _creds(['admin']).can('cyborg:no:such_rule')
