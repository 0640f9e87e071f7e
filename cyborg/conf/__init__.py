"""Configuration: one module per option group, all registered on CONF."""
from oslo_config import cfg
from oslo_policy import opts as policy_opts

from cyborg.conf import agent
from cyborg.conf import api
from cyborg.conf import database
from cyborg.conf import default
from cyborg.conf import keystone
from cyborg.conf import ksa

CONF = cfg.CONF

_MODULES = [default, api, agent, database, ksa, keystone]


def register_all(conf):
    for module in _MODULES:
        module.register_opts(conf)


register_all(CONF)
# Our defaults for oslo.policy (decisions.md Q16): new defaults and scope
# enforcement on; legacy mode is available by configuration.
policy_opts.set_defaults(CONF, enforce_new_defaults=True, enforce_scope=True)
