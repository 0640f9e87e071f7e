"""cyborg-conductor: the RPC server of topic cyborg-conductor."""

from oslo_log import log as logging

from cyborg.cmd import common
from cyborg.cmd import signals
from cyborg.conductor import service
from cyborg.conf import CONF
from cyborg.db import session

LOG = logging.getLogger(__name__)


def main(argv=None):
    common.parse_args(argv)
    session.configure()
    conductor = service.ConductorService(CONF.host)
    conductor.start()
    LOG.info('cyborg-conductor running as %s', CONF.host)
    try:
        signals.wait_for_stop()
    finally:
        conductor.stop()
