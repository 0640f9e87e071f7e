"""Glance: image metadata and data, for FPGA bitstreams (internals §5.6).

Calls are made with the caller's token (``context.auth_token``), as
upstream does, through a keystoneauth session built from the ``[glance]``
session options. The endpoint is ``[glance] endpoint_override`` or the
``image`` entry of the request's service catalog; a version suffix
(``/v2``) is stripped and the v2 paths are used:

* ``GET /v2/images/{id}`` -> metadata dict;
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
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint

from cyborg.common import exception
from cyborg.conf import CONF

LOG = logging.getLogger(__name__)

_VERSION_SUFFIX = re.compile(r'/v\d+(\.\d+)?/?$')
CHUNK = 1 << 20


def _catalog_endpoint(context):
    for entry in getattr(context, 'service_catalog', None) or []:
        if entry.get('type') != 'image':
            continue
        for endpoint in entry.get('endpoints') or []:
            if endpoint.get('interface', 'public') in ('internal', 'public'):
                url = endpoint.get('url') or endpoint.get('publicURL')
                if url:
                    return url
    return None


def endpoint_for(context, conf=None):
    conf = conf or CONF
    url = conf.glance.endpoint_override or _catalog_endpoint(context)
    if not url:
        raise exception.ImageServiceError(
            image_id='*', reason='no Glance endpoint: set [glance] '
            'endpoint_override or pass a service catalog')
    return _VERSION_SUFFIX.sub('', url.rstrip('/'))


class GlanceClient:
    """Narrow Glance client; ``session`` may be given (tests)."""

    def __init__(self, context=None, session=None, endpoint=None,
                 conf=None):
        conf = conf or CONF
        self.endpoint = endpoint or endpoint_for(context, conf)
        self.retries = conf.glance.num_retries
        if session is None:
            auth = token_endpoint.Token(
                self.endpoint, getattr(context, 'auth_token', None) or '')
            try:
                session = ks_loading.load_session_from_conf_options(
                    conf, 'glance', auth=auth)
            except Exception:  # noqa: BLE001 - options not registered
                session = ks_session.Session(auth=auth)
        self.session = session

    def _get(self, image_id, path, stream=False):
        url = '%s/v2/images/%s%s' % (self.endpoint, image_id, path)
        for attempt in range(self.retries + 1):
            try:
                resp = self.session.get(url, raise_exc=False, stream=stream)
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
        return self._get(image_id, '').json()

    def download(self, image_id, path):
        """Write the image data to ``path``; returns the byte count."""
        resp = self._get(image_id, '/file', stream=True)
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
