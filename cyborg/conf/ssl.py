"""Options of the [ssl] group: TLS of cyborg-api ([api] enable_ssl_api)."""
from oslo_config import cfg

GROUP = cfg.OptGroup('ssl', title='TLS of the API server')

opts = [
    cfg.StrOpt('cert_file',
               help='Certificate (PEM) cyborg-api presents; may hold the '
                    'intermediate chain after it.'),
    cfg.StrOpt('key_file', help='Private key (PEM) of cert_file.'),
    cfg.StrOpt('ca_file',
               help='CA certificates (PEM) that client certificates must '
                    'chain to; when set, every client must present one '
                    '(mutual TLS).'),
]


def register_opts(conf):
    conf.register_group(GROUP)
    conf.register_opts(opts, group=GROUP)


def list_opts():
    return {GROUP: opts}
