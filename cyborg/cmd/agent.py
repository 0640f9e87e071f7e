"""cyborg-agent: runs the drivers and reports to the conductor."""
import sys

from oslo_log import log as logging

from cyborg.agent import service
from cyborg.cmd import common
from cyborg.cmd import signals
from cyborg.conf import CONF

LOG = logging.getLogger(__name__)


def main(argv=None):
    common.parse_args(argv)
    agent = service.AgentService(CONF.host)
    agent.start()
    LOG.info('cyborg-agent running as %s', CONF.host)
    try:
        signals.wait_for_stop()
    finally:
        agent.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
