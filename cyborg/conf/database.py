"""Options of the [database] group (oslo.db plus cyborg's own)."""
from oslo_config import cfg
from oslo_db import options as db_options

GROUP = cfg.OptGroup('database', title='Database options')

opts = [
    cfg.StrOpt('mysql_engine', default='InnoDB',
               help='MySQL engine to use.'),
]

_DEFAULT_CONNECTION = 'sqlite:///$state_path/cyborg.sqlite'


def register_opts(conf):
    db_options.set_defaults(conf, connection=_DEFAULT_CONNECTION)
    conf.register_opts(opts, group=GROUP)


def list_opts():
    return {GROUP: opts}
