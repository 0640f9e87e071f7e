"""An agent process whose FPGA programming really fails (run with
``python -m``): the bitstream it opens is not in its image cache, so the
agent raises ``FileNotFoundError`` naming a path of its host. Its mdev
calls are the bind tests' (``env.FakeAgentEndpoint`` over ``--root``).

Usage: ``python -m cyborg.tests.functional.errors.procs --config-file
FILE [--root DIR]``
"""
import os
import sys

from oslo_config import cfg

from cyborg.cmd import common
from cyborg.conf import CONF
from cyborg.tests.functional.bind import env
from cyborg.tests.functional.bind import procs


class FailingProgrammer(env.FakeAgentEndpoint):
    def fpga_program(self, context, controlpath_id, bitstream_uuid,
                     driver_name):
        cache = os.path.join(self.root, 'var/lib/cyborg/bitstreams')
        with open(os.path.join(cache, bitstream_uuid), 'rb') as image:
            return bool(image.read(1))


def main():
    CONF.register_cli_opts([cfg.StrOpt('root', default='/tmp')])
    common.parse_args(sys.argv[1:])
    server = env.start_agent(FailingProgrammer(CONF.root), host=CONF.host)
    print('agent ready', flush=True)
    procs._wait_for_signal()
    server.stop()
    server.wait()


if __name__ == '__main__':
    main()
