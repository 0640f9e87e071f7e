"""cyborg-conductor: the RPC server of topic cyborg-conductor.

Runs in oslo.service's launcher (threading backend): SIGTERM stops taking
RPC requests and lets running bind jobs finish within ``[DEFAULT]
graceful_shutdown_timeout``; SIGHUP re-reads the mutable options and
restarts the service process; SIGINT exits at once. Several conductors
(one per host, each its own ``[DEFAULT] host``) share the work.
"""
import sys

from oslo_log import log as logging

from cyborg.cmd import common
from cyborg.common import service
from cyborg.conf import CONF

LOG = logging.getLogger(__name__)


def build_conductor():
    """The conductor of this process; runs in the launcher's child."""
    from cyborg.conductor import service as conductor_service
    from cyborg.db import session
    session.configure()
    return conductor_service.ConductorService(CONF.host)


def main(argv=None):
    common.parse_args(argv)
    return service.run(CONF, service.Managed(build_conductor,
                                             name='cyborg-conductor'))


if __name__ == '__main__':
    sys.exit(main())
