"""Options of the [conductor] group: membership of the conductor cluster."""
from oslo_config import cfg

GROUP = 'conductor'

opts = [
    cfg.IntOpt('heartbeat_interval', default=5, min=1,
               help='Seconds between two heartbeats a conductor writes to '
                    'its row of the conductors table; also the cycle of '
                    'the takeover check that fails the binds of dead '
                    'conductors.'),
    cfg.IntOpt('heartbeat_timeout', default=20, min=2,
               help='Seconds after its last heartbeat a conductor is '
                    'considered dead: its unfinished binds are failed by '
                    'a live conductor, and its host name may be used '
                    'again. Keep it several heartbeat_interval long, well '
                    'above the clock skew between conductor hosts, and '
                    'below [DEFAULT] bind_timeout.'),
    cfg.IntOpt('backfill_interval', default=3600, min=1,
               help='Seconds between two runs, across the cluster, of the '
                    'back-fill of ARQ project_id from Nova (the first run '
                    'follows the start of the first conductor).'),
]


def register_opts(conf):
    conf.register_opts(opts, group=GROUP)


def list_opts():
    return {GROUP: opts}
