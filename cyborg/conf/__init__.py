"""Configuration: one module per option group, all registered on CONF."""
from oslo_config import cfg
import oslo_messaging
from oslo_policy import opts as policy_opts

from cyborg.conf import agent
from cyborg.conf import api
from cyborg.conf import conductor
from cyborg.conf import coordination
from cyborg.conf import database
from cyborg.conf import default
from cyborg.conf import drivers
from cyborg.conf import keystone
from cyborg.conf import ksa
from cyborg.conf import notifications
from cyborg.conf import ssl

CONF = cfg.CONF

_MODULES = [default, api, ssl, agent, database, ksa, keystone, drivers,
            conductor, coordination, notifications]


def register_all(conf):
    for module in _MODULES:
        module.register_opts(conf)


register_all(CONF)
# transport_url, control_exchange and the other [DEFAULT] RPC options.
# oslo.messaging registers these lazily; the standalone mode and tests
# override transport_url before any transport exists.
CONF.register_opts(oslo_messaging.transport._transport_opts)
oslo_messaging.set_transport_defaults('cyborg')
# Our defaults for oslo.policy (decisions.md Q16): new defaults and scope
# enforcement on; legacy mode is available by configuration.
policy_opts.set_defaults(CONF, enforce_new_defaults=True, enforce_scope=True)
