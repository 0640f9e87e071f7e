"""Options of the [DEFAULT] group that belong to cyborg itself."""
import os
import socket

from oslo_config import cfg

_PKG_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))

opts = [
    cfg.HostAddressOpt('host', default=socket.gethostname(),
                       sample_default='<hostname>',
                       help='Name of this node: the RPC server name of the '
                            'agent and the host part of some deployable '
                            'names.'),
    cfg.IntOpt('periodic_interval', default=60, min=1,
               help='Seconds between two runs of the agent resource '
                    'tracker and of the conductor periodic tasks.'),
    cfg.IntOpt('thread_pool_size', default=10, min=1,
               help='Worker threads of the conductor for bind jobs.'),
    cfg.IntOpt('bind_timeout', default=60, min=1,
               help='Seconds a bind may stay BindStarted before the '
                    'conductor fails it.'),
    cfg.BoolOpt('fatal_exception_format_errors', default=False,
                help='Raise when an exception message fails to format.'),
    cfg.StrOpt('pybasedir', default=_PKG_DIR,
               sample_default='<package dir>',
               help='Directory where the cyborg python module is '
                    'installed.'),
    cfg.StrOpt('state_path', default='$pybasedir',
               help='Top-level directory for state: the default SQLite '
                    'database lives here.'),
]


def register_opts(conf):
    conf.register_opts(opts)


def list_opts():
    return {'DEFAULT': opts}
