"""Entry points for oslo-config-generator."""
from cyborg.conf import _MODULES


def list_opts():
    merged = {}
    for module in _MODULES:
        for group, opts in module.list_opts().items():
            merged.setdefault(group, []).extend(opts)
    return [(group, opts) for group, opts in merged.items()]


def set_defaults():
    """Defaults cyborg sets on library options (policy, middleware)."""
    from oslo_config import cfg

    from cyborg import policies
    policies.set_policy_defaults(cfg.CONF)
