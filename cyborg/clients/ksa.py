"""keystoneauth sessions and adapters built from one option group.

``cyborg.conf.ksa`` registers session, auth and adapter options in
``[placement]``, ``[nova]`` and ``[glance]``; this module turns such a group
into a ready :class:`keystoneauth1.adapter.Adapter`::

    adapter = ksa.adapter_from_conf('placement')

For the standalone mode and tests, where Placement runs with
``auth_strategy = noauth2``, either configure the group with
``auth_type = admin_token``, ``token = admin`` and ``endpoint = <url>``, or
build an adapter directly with :func:`token_endpoint_adapter`.
"""
from keystoneauth1 import adapter as ks_adapter
from keystoneauth1 import loading as ks_loading
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint

from cyborg.conf import CONF


def load_auth(group, conf=None):
    """The auth plugin of ``[group]``, or None when none is configured."""
    return ks_loading.load_auth_from_conf_options(conf or CONF, group)


def session_from_conf(group, conf=None, auth=None):
    """A keystoneauth session from ``[group]``'s session and auth options."""
    conf = conf or CONF
    if auth is None:
        auth = load_auth(group, conf)
    return ks_loading.load_session_from_conf_options(conf, group, auth=auth)


def adapter_from_conf(group, conf=None, session=None, auth=None, **kwargs):
    """A keystoneauth adapter from ``[group]`` (session built if not given).

    Extra keyword arguments (``client_name``, ``min_version``...) are passed
    to the adapter and override the group's adapter options.
    """
    conf = conf or CONF
    if session is None:
        session = session_from_conf(group, conf, auth=auth)
    return ks_loading.load_adapter_from_conf_options(
        conf, group, session=session, auth=auth, **kwargs)


def token_endpoint_adapter(endpoint, token='admin', service_type=None,
                           roles=None, **kwargs):
    """An adapter sending a fixed ``X-Auth-Token`` to a fixed endpoint.

    This is keystoneauth's ``admin_token`` plugin; with Placement's
    ``noauth2`` strategy the token ``admin`` gives the admin role, or the
    ``roles`` given (sent as ``X-Roles``, which only ``noauth2`` honours:
    keystonemiddleware drops it), e.g. ``('admin', 'service')`` as a
    service user has.
    """
    if roles:
        headers = dict(kwargs.pop('additional_headers', None) or {})
        headers['X-Roles'] = ','.join(roles)
        kwargs['additional_headers'] = headers
    session = ks_session.Session(
        auth=token_endpoint.Token(endpoint, token))
    return ks_adapter.Adapter(session, service_type=service_type,
                              endpoint_override=endpoint, **kwargs)
