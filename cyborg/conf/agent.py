"""Options of the [agent] group."""
import socket

from oslo_config import cfg

GROUP = cfg.OptGroup('agent', title='Agent options')

opts = [
    cfg.ListOpt('enabled_drivers', default=['fake_driver'],
                help='Accelerator drivers (entry points of the '
                     'cyborg.accelerator.driver namespace) the agent runs.'),
    cfg.IntOpt('resource_provider_startup_retries', default=3, min=0,
               help='Placement look-ups of the compute-node provider '
                    'retried at start, with exponential back-off.'),
    cfg.StrOpt('resource_provider_name', default=socket.getfqdn(),
               sample_default='<fqdn>',
               help='Name of the compute-node resource provider this agent '
                    'serves; falls back to [DEFAULT] host.'),
    cfg.IntOpt('report_timeout', default=600, min=1,
               help='Seconds the agent waits for the conductor to process '
                    'one report; the first report of a host with many '
                    'devices makes many Placement calls.'),
]


def register_opts(conf):
    conf.register_group(GROUP)
    conf.register_opts(opts, group=GROUP)


def list_opts():
    return {GROUP: opts}
