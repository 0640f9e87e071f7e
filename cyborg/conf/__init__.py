"""Configuration: one module per option group, all registered on CONF."""
from oslo_config import cfg

from cyborg.conf import agent
from cyborg.conf import api
from cyborg.conf import database
from cyborg.conf import default
from cyborg.conf import ksa

CONF = cfg.CONF

_MODULES = [default, api, agent, database, ksa]


def register_all(conf):
    for module in _MODULES:
        module.register_opts(conf)


register_all(CONF)
