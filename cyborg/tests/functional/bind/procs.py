"""Processes for the multi-process bind tests (run with ``python -m``).

``conductor``: the real ``ConductorService`` (which recovers its own
unfinished binds at start) plus a 1 s ``bind_timeout`` enforcer, so the
tests need not wait for the default period.
``agent``: an agent RPC server (topic ``cyborg-agent``, server =
``[DEFAULT] host``) whose endpoint is ``env.FakeAgentEndpoint`` over a
sysfs tree in ``--root``, answering after ``--delay`` seconds; with
``--real-glance`` it downloads bitstreams from Glance (found through the
caller's service catalog unless ``[glance] endpoint_override`` is set).

Usage: ``python -m cyborg.tests.functional.bind.procs conductor|agent
--config-file FILE [--root DIR] [--delay S] [--real-glance]``
"""
import signal
import sys
import threading

from oslo_config import cfg

from cyborg.cmd import common
from cyborg.conf import CONF

_opts = [cfg.StrOpt('root', default='/tmp'),
         cfg.FloatOpt('delay', default=0.0),
         cfg.BoolOpt('real-glance', default=False)]


def _wait_for_signal():
    stopped = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopped.set())
    stopped.wait()


def conductor():
    from cyborg.conductor import service
    from cyborg.conductor.bind import deadlines
    from cyborg.db import session
    session.configure()
    svc = service.ConductorService(CONF.host)
    svc.start()
    periodic = deadlines.start_periodic(1.0)
    print('conductor ready', flush=True)
    _wait_for_signal()
    periodic.stop()
    svc.stop()


def agent():
    from cyborg.tests.functional.bind import env
    endpoint = env.FakeAgentEndpoint(CONF.root, delay=CONF.delay,
                                      glance=CONF.real_glance)
    server = env.start_agent(endpoint, host=CONF.host)
    print('agent ready', flush=True)
    _wait_for_signal()
    server.stop()
    server.wait()


def main():
    role = sys.argv[1]
    CONF.register_cli_opts(_opts)
    common.parse_args(sys.argv[2:])
    {'conductor': conductor, 'agent': agent}[role]()


if __name__ == '__main__':
    main()
