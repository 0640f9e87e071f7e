"""oslo.policy defaults and the one enforcer of the service.

New defaults and scope enforcement are on by default (decisions.md Q16);
``[oslo_policy] enforce_new_defaults = False`` restores upstream's legacy
mode, in which every rule is ORed with its deprecated check.
"""
import itertools
import logging
import threading
import time

from oslo_config import cfg
from oslo_policy import opts as policy_opts
from oslo_policy import policy

from cyborg.common import exception
from cyborg.policies import arqs
from cyborg.policies import attributes
from cyborg.policies import base
from cyborg.policies import deployables
from cyborg.policies import device_profiles
from cyborg.policies import devices

_ENFORCER = None
_LOCK = threading.Lock()


def list_rules():
    return list(itertools.chain(base.rules, device_profiles.rules,
                                arqs.rules, devices.rules,
                                deployables.rules, attributes.rules))


def set_policy_defaults(conf):
    policy_opts.set_defaults(conf, enforce_new_defaults=True,
                             enforce_scope=True)


def get_enforcer(conf=None):
    """Entry point for oslopolicy-* tools; also used by the service."""
    global _ENFORCER
    conf = conf or cfg.CONF
    with _LOCK:
        if _ENFORCER is None:
            set_policy_defaults(conf)
            enforcer = policy.Enforcer(conf)
            enforcer.suppress_deprecation_warnings = True
            enforcer.register_defaults(list_rules())
            _ENFORCER = enforcer
    return _ENFORCER


def reset():
    global _ENFORCER
    with _LOCK:
        if _ENFORCER is not None:
            _ENFORCER.clear()
        _ENFORCER = None


# Decisions of the enforcer, for the rules it holds now: oslo.policy
# evaluates a rule's check tree (and inspects each check's signature) on
# every call, for an answer that only depends on the rule, the caller's
# policy values, the target and those rules. The cache belongs to one
# Rules object: the enforcer replaces it whenever it reloads (a changed
# policy file or policy.d).
#
# Enforcer.enforce() looks for a changed policy file (several stat()s
# through the configuration directories) on every call; an answer from
# the cache looks at most every RULES_CHECK_SECONDS, so that an edited
# policy file takes effect within that time rather than on the very next
# request. A decision that is not cached yet is always the enforcer's.
RULES_CHECK_SECONDS = 1.0
_DECISIONS_MAX = 4096
_decisions = (None, None, {})      # (enforcer, rules, {key: allowed})
_rules_checked = (None, 0.0)       # (enforcer, monotonic time of the check)
_DENIED, _ALLOWED = False, True


def _check_rules(enforcer):
    """``enforcer.load_rules()`` unless it ran less than
    :data:`RULES_CHECK_SECONDS` ago."""
    global _rules_checked
    owner, when = _rules_checked
    now = time.monotonic()
    if owner is not enforcer or now - when >= RULES_CHECK_SECONDS:
        enforcer.load_rules()
        _rules_checked = (enforcer, now)


def _frozen(mapping):
    # keys are unique: sorting never compares values
    return tuple(sorted(
        (name, tuple(value) if isinstance(value, list) else value)
        for name, value in mapping.items()))


def _decision_key(enforcer, context, rule, target):
    if policy.LOG.isEnabledFor(logging.DEBUG):
        return None         # oslo.policy logs every decision: let it
    try:
        key = (rule, _frozen(context.to_policy_values()._dict),
               _frozen(target),
               enforcer.conf.oslo_policy.enforce_new_defaults)
        hash(key)
    except (AttributeError, TypeError):
        return None
    return key


def _decisions_of(enforcer):
    global _decisions
    owner, rules, table = _decisions
    if owner is not enforcer or rules is not enforcer.rules or \
            len(table) >= _DECISIONS_MAX:
        table = {}
        _decisions = (enforcer, enforcer.rules, table)
    return table


def authorize(context, rule, target):
    enforcer = get_enforcer()
    key = None
    if rule in enforcer.registered_rules:
        _check_rules(enforcer)
        key = _decision_key(enforcer, context, rule, target)
    if key is not None:
        table = _decisions_of(enforcer)
        allowed = table.get(key)
        if allowed is _ALLOWED:
            return
        if allowed is _DENIED:
            raise exception.PolicyNotAuthorized(action=rule)
    try:
        enforcer.authorize(rule, target, context, do_raise=True,
                           exc=exception.PolicyNotAuthorized, action=rule)
    except exception.PolicyNotAuthorized:
        _remember(enforcer, key, _DENIED)
        raise
    except policy.InvalidScope:
        _remember(enforcer, key, _DENIED)
        raise exception.PolicyNotAuthorized(action=rule)
    _remember(enforcer, key, _ALLOWED)


def _remember(enforcer, key, allowed):
    if key is not None:
        _decisions_of(enforcer)[key] = allowed
