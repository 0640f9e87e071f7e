"""Options of the [conductor] group: membership of the conductor cluster
and the outbox of Nova events."""
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
    cfg.IntOpt('nova_event_senders', default=4, min=1,
               help='Threads per conductor that deliver the Nova '
                    'accelerator-request-bound events of the outbox (the '
                    'nova_events table); at most this many POSTs to Nova '
                    'are in flight from one conductor.'),
    cfg.IntOpt('placement_sync_workers', default=4, min=1, max=32,
               help='Threads per agent report that write the Placement '
                    'providers of new deployables (create each provider, '
                    'and put its traits once the inventories of up to '
                    '200 providers were set in one reshaper request, or '
                    'one by one where Placement refuses the reshaper), so '
                    'a host reporting many new devices waits on Placement '
                    'several requests at a time. 1 writes them one after '
                    'the other. Placement serves requests concurrently '
                    'when it runs with several worker processes or '
                    'threads; keep this within what it has.'),
    cfg.IntOpt('nova_event_batch_size', default=200, min=1, max=1000,
               help='Most events one POST /os-server-external-events '
                    'carries; every due event up to this number goes in '
                    'one request.'),
    cfg.FloatOpt('nova_event_poll_interval', default=2.0, min=0.1,
                 help='Seconds between two looks at the outbox for events '
                      'this conductor was not told about: written by '
                      'another conductor, left by a dead one, or due '
                      'again after a failed attempt. Events committed by '
                      'this conductor are sent at once.'),
    cfg.IntOpt('nova_event_lease', default=60, min=1,
               help='Seconds a conductor holds the events it is sending; '
                    'if it dies meanwhile, another conductor sends them '
                    'once the lease has expired. Keep it above the '
                    '[nova] timeout, or a slow POST may be repeated by '
                    'another conductor.'),
    cfg.IntOpt('nova_event_max_age', default=600, min=1,
               help='Seconds after which an event that still fails to '
                    'reach Nova is dropped (logged as an error). Nova '
                    'stops waiting for the event after its own '
                    'arq_binding_timeout (300 s by default).'),
]


def register_opts(conf):
    conf.register_opts(opts, group=GROUP)


def list_opts():
    return {GROUP: opts}
