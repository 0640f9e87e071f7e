"""[keystone_authtoken]: keystonemiddleware's options, with our defaults.

Registered here (not only by the middleware) because the API reads
``service_token_roles`` in every auth strategy (api.md §6.6), and cyborg
requires service tokens to carry a service role (internals.md §9.9).
"""
from keystonemiddleware import auth_token

GROUP = 'keystone_authtoken'


def _opts():
    for group, opts in auth_token.list_opts():
        if group == GROUP:
            return opts
    return []


def register_opts(conf):
    conf.register_opts(_opts(), group=GROUP)
    conf.set_default('service_token_roles_required', True, group=GROUP)


def list_opts():
    # The generator reads keystonemiddleware's own namespace for this group.
    return {}
