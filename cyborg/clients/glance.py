"""Glance: image metadata and data, for FPGA bitstreams (internals §5.6).

Calls are made with the caller's token (``context.auth_token``), as
upstream does, through a keystoneauth session built from the ``[glance]``
session options; with ``[service_user] send_service_user_token`` they
also carry the service user's token (``X-Service-Token``, internals
§9.8), so that Glance accepts a user token that expired while a bind
was under way. The endpoint is ``[glance] endpoint_override`` or the
Glance entry of the request's service catalog (which travels with the
context over RPC, internals §2.1), chosen by the ``[glance]`` adapter
options ``service_type``, ``service_name``, ``valid_interfaces`` and
``region_name``; a version suffix (``/v2``) is stripped and the v2 paths
are used:

* ``GET /v2/images/{id}`` -> metadata dict;
* ``GET /v2/images?<property>=<value>`` -> the one image carrying it
  (FPGA function ids, ``accel:function_id``);
* ``GET /v2/images/{id}/file`` -> data, streamed to a file.

Connection errors are retried ``[glance] num_retries`` times, one second
apart. 401/403 -> :class:`ImageNotAuthorized`, 404 -> :class:`ImageNotFound`,
an image without data (204) -> :class:`ImageUnacceptable`, anything else
-> :class:`ImageServiceError`.
"""
import logging
import re
import time

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading as ks_loading
from keystoneauth1 import service_token
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
from keystoneauth1.access import service_catalog as ks_catalog

from cyborg.common import exception
from cyborg.conf import CONF

LOG = logging.getLogger(__name__)

_VERSION_SUFFIX = re.compile(r'/v\d+(\.\d+)?/?$')
CHUNK = 1 << 20


def _catalog(entries):
    """keystoneauth's view of a catalog: keystonemiddleware's header form
    (v2: ``publicURL``...) or the token's v3 form (``interface``/``url``)."""
    v3 = any('interface' in endpoint for entry in entries
             for endpoint in entry.get('endpoints') or ())
    if v3:
        return ks_catalog.ServiceCatalogV3(entries)
    return ks_catalog.ServiceCatalogV2(entries)


def _interfaces(group):
    interfaces = list(getattr(group, 'valid_interfaces', None) or [])
    legacy = getattr(group, 'interface', None)
    if not interfaces and legacy:
        interfaces = [legacy]
    return interfaces or ['internal', 'public']


def catalog_endpoint(context, conf=None):
    """Glance's URL in the request's (reduced) service catalog, chosen by
    ``[glance]`` ``service_type``, ``service_name``, ``valid_interfaces``
    (in order) and ``region_name``; None when the catalog has none."""
    group = (conf or CONF).glance
    entries = getattr(context, 'service_catalog', None) or []
    if not entries:
        return None
    try:
        return _catalog(entries).url_for(
            service_type=group.service_type or 'image',
            service_name=group.service_name or None,
            interface=_interfaces(group),
            region_name=group.region_name or None)
    except ks_exc.EndpointNotFound:
        return None


def endpoint_for(context, conf=None):
    """``[glance] endpoint_override``, else the catalog's endpoint; the
    version suffix is stripped."""
    conf = conf or CONF
    url = conf.glance.endpoint_override or catalog_endpoint(context, conf)
    if not url:
        group = conf.glance
        raise exception.ImageServiceError(
            image_id='*', reason='no Glance endpoint: the request\'s service '
            'catalog has no %s endpoint (interfaces %s%s) and [glance] '
            'endpoint_override is not set' % (
                group.service_type or 'image', ','.join(_interfaces(group)),
                ', region %s' % group.region_name if group.region_name
                else ''))
    return _VERSION_SUFFIX.sub('', url.rstrip('/'))


_service_auth = {}


def _service_user_auth(conf):
    """The ``[service_user]`` auth plugin, one per process and
    configuration (it caches its token between calls)."""
    plugin = _service_auth.get(id(conf))
    if plugin is None:
        plugin = ks_loading.load_auth_from_conf_options(conf, 'service_user')
        if plugin is None:
            raise exception.ServiceUserNotConfigured()
        _service_auth[id(conf)] = plugin
    return plugin


def user_auth(context, endpoint, conf=None):
    """The caller's token for ``endpoint``, wrapped with the service
    user's token when ``[service_user] send_service_user_token`` is on."""
    conf = conf or CONF
    auth = token_endpoint.Token(
        endpoint, getattr(context, 'auth_token', None) or '')
    if not conf.service_user.send_service_user_token:
        return auth
    return service_token.ServiceTokenAuthWrapper(
        user_auth=auth, service_auth=_service_user_auth(conf))


class GlanceClient:
    """Narrow Glance client; ``session`` may be given (tests)."""

    def __init__(self, context=None, session=None, endpoint=None,
                 conf=None):
        conf = conf or CONF
        self.endpoint = endpoint or endpoint_for(context, conf)
        self.retries = conf.glance.num_retries
        if session is None:
            auth = user_auth(context, self.endpoint, conf)
            try:
                session = ks_loading.load_session_from_conf_options(
                    conf, 'glance', auth=auth)
            except Exception:  # noqa: BLE001 - options not registered
                session = ks_session.Session(auth=auth)
        self.session = session

    def _get(self, image_id, path, stream=False, params=None):
        url = '%s/v2/images%s' % (self.endpoint, path)
        for attempt in range(self.retries + 1):
            try:
                resp = self.session.get(url, raise_exc=False, stream=stream,
                                        params=params)
                break
            except ks_exc.ConnectFailure as exc:
                if attempt >= self.retries:
                    raise exception.ImageServiceError(image_id=image_id,
                                                      reason=exc)
                LOG.warning('Glance unreachable (%s); retry %d', exc,
                            attempt + 1)
                time.sleep(1)
            except ks_exc.ClientException as exc:
                raise exception.ImageServiceError(image_id=image_id,
                                                  reason=exc)
        if resp.status_code in (401, 403):
            raise exception.ImageNotAuthorized(image_id=image_id)
        if resp.status_code == 404:
            raise exception.ImageNotFound(image_id=image_id)
        if resp.status_code == 204:
            raise exception.ImageUnacceptable(image_id=image_id,
                                              reason='it has no data')
        if resp.status_code != 200:
            raise exception.ImageServiceError(
                image_id=image_id, reason='HTTP %s' % resp.status_code)
        return resp

    def get_image(self, image_id):
        """The image's metadata (Glance v2 JSON)."""
        return self._get(image_id, '/%s' % image_id).json()

    def find_one(self, prop, value):
        """The one image whose property ``prop`` is ``value``
        (``GET /v2/images?<prop>=<value>``); none or several ->
        :class:`ImageLookupFailed`."""
        what = '%s=%s' % (prop, value)
        body = self._get(what, '', params={prop: value, 'limit': 2}).json()
        images = body.get('images') if isinstance(body, dict) else None
        if not isinstance(images, list):
            raise exception.ImageServiceError(
                image_id=what, reason='the image list is not a JSON object '
                'with an "images" list')
        if len(images) != 1:
            raise exception.ImageLookupFailed(
                query=what, found='no image' if not images
                else 'more than one image')
        return images[0]

    def download(self, image_id, path):
        """Write the image data to ``path``; returns the byte count."""
        resp = self._get(image_id, '/%s/file' % image_id, stream=True)
        size = 0
        with open(path, 'wb') as fh:
            for chunk in resp.iter_content(CHUNK):
                fh.write(chunk)
                size += len(chunk)
        if size == 0:
            raise exception.ImageUnacceptable(image_id=image_id,
                                              reason='it has no data')
        LOG.info('Downloaded image %s (%d bytes)', image_id, size)
        return size
