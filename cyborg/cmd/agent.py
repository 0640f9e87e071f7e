"""cyborg-agent: runs the drivers and reports to the conductor.

Runs in oslo.service's launcher (threading backend): SIGTERM stops the
RPC server and the periodic report within ``[DEFAULT]
graceful_shutdown_timeout``; SIGHUP re-reads the mutable options and
restarts the service process; SIGINT exits at once.
"""
import sys

from oslo_log import log as logging

from cyborg.cmd import common
from cyborg.common import service
from cyborg.conf import CONF

LOG = logging.getLogger(__name__)


def build_agent():
    """The agent of this process; runs in the launcher's child."""
    from cyborg.agent import service as agent_service
    LOG.info('cyborg-agent running as %s', CONF.host)
    return agent_service.AgentService(CONF.host)


def main(argv=None):
    common.parse_args(argv)
    return service.run(CONF, service.Managed(build_agent,
                                             name='cyborg-agent'))


if __name__ == '__main__':
    sys.exit(main())
