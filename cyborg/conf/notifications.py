"""Options of the [notifications] group (versioned notifications).

Whether notifications are sent at all is oslo.messaging's
``[oslo_messaging_notifications] driver`` (unset: nothing is sent), as in
every OpenStack service; these options say where versioned ones go.
"""
from oslo_config import cfg

GROUP = 'notifications'

opts = [
    cfg.ListOpt('versioned_notifications_topics',
                default=['versioned_notifications'],
                help='Topics the versioned notifications are sent to '
                     '(as Nova names them).'),
    cfg.IntOpt('max_queued', default=10000, min=1,
               help='Notifications waiting to be sent, at most; when the '
                    'message bus is slower than this, the newest are '
                    'dropped (and logged) so that no operation waits for '
                    'the bus.'),
]


def register_opts(conf):
    conf.register_opts(opts, group=GROUP)


def list_opts():
    return {GROUP: opts}
