"""cyborg-api: the REST API on [api] host_ip:[api] port."""
from oslo_log import log as logging

from cyborg.api import app as api_app
from cyborg.cmd import common
from cyborg.common import wsgi_server
from cyborg.conf import CONF
from cyborg.db import session

LOG = logging.getLogger(__name__)


def main(argv=None):
    common.parse_args(argv)
    session.configure()
    server = wsgi_server.Server(api_app.setup_app(), CONF.api.host_ip,
                                CONF.api.port)
    LOG.info('cyborg-api listening on %s', server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
