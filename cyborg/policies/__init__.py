"""oslo.policy defaults and the one enforcer of the service.

New defaults and scope enforcement are on by default (decisions.md Q16);
``[oslo_policy] enforce_new_defaults = False`` restores upstream's legacy
mode, in which every rule is ORed with its deprecated check.
"""
import itertools
import threading

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


def authorize(context, rule, target):
    enforcer = get_enforcer()
    try:
        enforcer.authorize(rule, target, context, do_raise=True,
                           exc=exception.PolicyNotAuthorized, action=rule)
    except policy.InvalidScope:
        raise exception.PolicyNotAuthorized(action=rule)
