"""Options of the [coordination] group: the locks of the conductor cluster."""
from oslo_config import cfg

GROUP = 'coordination'

opts = [
    cfg.StrOpt('backend_url', secret=True,
               help='tooz URL of the lock service that keeps two '
                    'conductors from running the same periodic task at '
                    'once, e.g. etcd3+http://host:2379, redis://host:6379, '
                    'zookeeper://host:2181. Unset: the locks are taken on '
                    'the [database] connection (tooz mysql:// or '
                    'postgresql:// driver); with SQLite (one process) an '
                    'in-process lock is used.'),
]


def register_opts(conf):
    conf.register_opts(opts, group=GROUP)


def list_opts():
    return {GROUP: opts}
