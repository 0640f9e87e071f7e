"""Options of the [api] group."""
from oslo_config import cfg

GROUP = cfg.OptGroup('api', title='API options')

opts = [
    cfg.HostAddressOpt('host_ip', default='127.0.0.1',
                       help='Address the API server listens on.'),
    cfg.PortOpt('port', default=6666, help='Port the API server listens on.'),
    cfg.IntOpt('api_workers', min=1,
               help='Number of API worker processes; defaults to the '
                    'number of CPUs.'),
    cfg.BoolOpt('enable_ssl_api', default=False,
                help='Serve the API over HTTPS (uses the [ssl] options).'),
    cfg.StrOpt('public_endpoint',
               help='Base URL used in links of API responses, e.g. '
                    'https://cloud.example.net/accelerator. When unset, '
                    'links use the request host URL and mount point.'),
    cfg.StrOpt('auth_strategy', default='keystone',
               choices=[('keystone', 'keystonemiddleware auth_token '
                                     'validates every request'),
                        ('noauth', 'identity is taken from the X-User-Id, '
                                   'X-Project-Id and X-Roles headers; '
                                   'for tests and standalone use only')],
               help='How API requests are authenticated.'),
    cfg.IntOpt('max_request_body_size', default=1024 * 1024, min=1024,
               help='Largest request body accepted, in bytes; larger '
                    'bodies get 413.'),
]


def register_opts(conf):
    conf.register_group(GROUP)
    conf.register_opts(opts, group=GROUP)


def list_opts():
    return {GROUP: opts}
