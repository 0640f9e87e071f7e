"""Start-up shared by the console scripts: config, logging."""
import sys

from oslo_log import log as logging

from cyborg.conf import CONF

LOG = logging.getLogger(__name__)


def parse_args(argv=None, default_config_files=None):
    logging.register_options(CONF)
    CONF(argv if argv is not None else sys.argv[1:], project='cyborg',
         default_config_files=default_config_files)
    logging.setup(CONF, 'cyborg')
