"""cyborg-conductor: the RPC server of topic cyborg-conductor."""
import signal
import threading

from oslo_log import log as logging

from cyborg.cmd import common
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
    stopped = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopped.set())
    stopped.wait()
    conductor.stop()
