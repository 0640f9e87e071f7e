"""The ``[ssl]`` files of ``cyborg-api``, checked before it starts.

:func:`files` answers None when ``[api] enable_ssl_api`` is off, else the
certificate, key and optional client CA, once each file exists, is
readable, the certificate and key make a pair (and the CA loads), and the
key is unencrypted PKCS#8, the one form granian reads. Anything else is a
:class:`TLSConfigError` that names the file, and for a key in another form
the ``openssl`` command that converts it.
"""
import collections
import os
import ssl

from cyborg.conf import CONF

TLS = collections.namedtuple('TLS', 'cert_file key_file ca_file')
_NOT_PKCS8 = (b'-----BEGIN RSA PRIVATE KEY-----',
              b'-----BEGIN EC PRIVATE KEY-----',
              b'-----BEGIN ENCRYPTED PRIVATE KEY-----')


class TLSConfigError(Exception):
    """The TLS files of the server cannot be used."""


def _readable(kind, path):
    if not path:
        raise TLSConfigError('[ssl] %s is required when TLS is enabled'
                             % kind)
    if not os.path.isfile(path):
        raise TLSConfigError('[ssl] %s %s does not exist' % (kind, path))
    if not os.access(path, os.R_OK):
        raise TLSConfigError('[ssl] %s %s is not readable' % (kind, path))


def _loadable(cert_file, key_file, ca_file):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(cert_file, key_file)
        if ca_file:
            context.load_verify_locations(ca_file)
    except (ssl.SSLError, OSError) as exc:
        raise TLSConfigError('[ssl] cannot load the certificate %s / key '
                             '%s: %s' % (cert_file, key_file, exc)) from exc


def _pkcs8(key_file):
    with open(key_file, 'rb') as f:
        head = f.read(4096)
    if any(marker in head for marker in _NOT_PKCS8):
        raise TLSConfigError(
            '[ssl] key_file %s must be an unencrypted PKCS#8 key ("BEGIN '
            'PRIVATE KEY"); convert it with: openssl pkcs8 -topk8 -nocrypt '
            '-in %s -out <new file>' % (key_file, key_file))


def files(conf=CONF):
    if not conf.api.enable_ssl_api:
        return None
    cert_file, key_file = conf.ssl.cert_file, conf.ssl.key_file
    ca_file = conf.ssl.ca_file or None
    _readable('cert_file', cert_file)
    _readable('key_file', key_file)
    if ca_file:
        _readable('ca_file', ca_file)
    _loadable(cert_file, key_file, ca_file)
    _pkcs8(key_file)
    return TLS(cert_file, key_file, ca_file)
