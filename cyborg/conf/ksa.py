"""keystoneauth option groups: [placement], [nova], [glance], [service_user].

Each group carries session, auth and adapter options so that a client can be
built with ``keystoneauth1.loading`` from the group alone.
"""
import copy

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg

_SERVICE_TYPES = {
    'placement': 'placement',
    'nova': 'compute',
    'glance': 'image',
}

glance_opts = [
    cfg.IntOpt('num_retries', default=0, min=0,
               help='Extra attempts on Glance connection errors.'),
]

service_user_opts = [
    cfg.BoolOpt('send_service_user_token', default=False,
                help='Send the service user token next to the user token '
                     'on calls to other services.'),
]


def register_opts(conf):
    for group, service_type in _SERVICE_TYPES.items():
        conf.register_group(cfg.OptGroup(group))
        ks_loading.register_session_conf_options(conf, group)
        if group != 'glance':
            ks_loading.register_auth_conf_options(conf, group)
        ks_loading.register_adapter_conf_options(conf, group)
        conf.set_default('service_type', service_type, group=group)
        conf.set_default('valid_interfaces', ['internal', 'public'],
                         group=group)
    conf.register_opts(glance_opts, group='glance')
    conf.register_group(cfg.OptGroup('service_user'))
    conf.register_opts(service_user_opts, group='service_user')
    ks_loading.register_session_conf_options(conf, 'service_user')
    ks_loading.register_auth_conf_options(conf, 'service_user')


def _ksa_opts(group, with_auth=True):
    opts = copy.deepcopy(ks_loading.get_session_conf_options())
    opts += copy.deepcopy(ks_loading.get_adapter_conf_options())
    if with_auth:
        opts += ks_loading.get_auth_common_conf_options()
        opts += ks_loading.get_auth_plugin_conf_options('password')
    return opts


def list_opts():
    return {
        'placement': _ksa_opts('placement'),
        'nova': _ksa_opts('nova'),
        'glance': glance_opts + _ksa_opts('glance', with_auth=False),
        'service_user': service_user_opts + copy.deepcopy(
            ks_loading.get_session_conf_options()) +
        ks_loading.get_auth_common_conf_options() +
        ks_loading.get_auth_plugin_conf_options('password'),
    }
