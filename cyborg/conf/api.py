"""Options of the [api] group."""
from oslo_config import cfg

GROUP = cfg.OptGroup('api', title='API options')

opts = [
    cfg.HostAddressOpt('host_ip', default='127.0.0.1',
                       help='Address the API server listens on.'),
    cfg.PortOpt('port', default=6666, help='Port the API server listens on.'),
    cfg.IntOpt('api_workers', min=1,
               sample_default='<number of CPUs>',
               help='Number of cyborg-api worker processes; defaults to '
                    'the number of CPUs. All workers accept connections '
                    'from one listening socket.'),
    cfg.IntOpt('worker_threads', default=4, min=1,
               help='Requests one cyborg-api worker runs at the same time '
                    '(its application threads); further requests wait '
                    'until one ends. Python runs one thread of a process '
                    'at a time: a few threads serve short requests faster '
                    'than many (with 16, the ARQ GET and POST lost 10-25 % '
                    'of their throughput on 2 CPUs); raise it where '
                    'requests wait on a remote database or on the '
                    'conductor. Keep workers x worker_threads within '
                    'what the database ([database] max_pool_size + '
                    'max_overflow per worker) can take.'),
    cfg.IntOpt('client_socket_timeout', default=60, min=1,
               help='Seconds cyborg-api waits for the headers of a request, '
                    'including the next request on an idle keep-alive '
                    'connection; at most 60 is used.'),
    cfg.BoolOpt('wsgi_keep_alive', default=True,
                help='HTTP/1.1 keep-alive in cyborg-api; when False, every '
                     'connection is closed after one response.'),
    cfg.IntOpt('backlog', default=128, min=1,
               help='Connections the listening socket of cyborg-api '
                    'queues before a worker accepts them (at least 128 is '
                    'used).'),
    cfg.BoolOpt('worker_cpu_affinity', default=False,
                help='Pin each cyborg-api worker process, with all its '
                     'threads, to one CPU: worker i to the i-th CPU the '
                     'process may use, round robin. It keeps the hand-off '
                     'of a request between the HTTP server\'s thread and '
                     'an application thread on one CPU. Consider it where '
                     'the API has its CPUs to itself (a dedicated host, a '
                     'container with its own cpuset) and api_workers is a '
                     'multiple of their number, and measure: on the 2-CPU '
                     'virtual machine of the serving benchmark its effect '
                     'was within the noise. Leave it off on a shared host, '
                     'where a pinned worker cannot move away from a busy '
                     'CPU.'),
    cfg.BoolOpt('enable_ssl_api', default=False,
                help='Serve cyborg-api over HTTPS with [ssl] cert_file and '
                     'key_file (and, for client certificates, ca_file).'),
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
    cfg.StrOpt('healthcheck_path', default='/healthcheck',
               help='Path of the unauthenticated health check '
                    '(oslo.middleware healthcheck with a database check; '
                    'see the [healthcheck] group). Empty: no health '
                    'check.'),
    cfg.IntOpt('max_limit', default=1000, min=1,
               help='Most items one page of a list holds at microversion '
                    '2.4 and later: a larger (or no) limit query '
                    'parameter is capped to it, and a next link leads to '
                    'the rest. Lists below 2.4 are not paged.'),
    cfg.IntOpt('max_request_body_size', default=1024 * 1024, min=1024,
               help='Largest request body accepted, in bytes; larger '
                    'bodies get 413.'),
]


def register_opts(conf):
    conf.register_group(GROUP)
    conf.register_opts(opts, group=GROUP)


def list_opts():
    return {GROUP: opts}
