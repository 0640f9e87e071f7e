"""Baseline applications of ``bench_serving``, and cyborg-api's server for
any application.

``bare``: a WSGI callable answering a fixed JSON document; ``pecan_app``: a
bare Pecan application (one root controller returning the same document,
no middleware). ``python -m benchmarks.serving_apps NAME --config-file F``
serves ``bare``, ``pecan`` or ``cyborg`` exactly as ``cyborg-api`` does
(the same granian server, ``[api]`` options of F).
"""
import json
import sys

BODY = json.dumps({'versions': [{'id': 'v2', 'status': 'CURRENT'}]}
                  ).encode()


def bare(environ, start_response):
    start_response('200 OK', [('Content-Type', 'application/json'),
                              ('Content-Length', str(len(BODY)))])
    return [BODY]


def _pecan_app():
    import pecan

    class Root:
        @pecan.expose(content_type='application/json')
        def index(self):
            pecan.response.body = BODY
            return pecan.response

    return pecan.make_app(Root(), debug=False)


class _Lazy:
    def __init__(self, build):
        self.build, self.app = build, None

    def __call__(self, environ, start_response):
        if self.app is None:
            self.app = self.build()
        return self.app(environ, start_response)


pecan_app = _Lazy(_pecan_app)


def _loader(name):
    from cyborg.common import access_log
    # cyborg-api logs every request, whatever the application
    return access_log.access_logged({'bare': bare, 'pecan': pecan_app}[name])


def main(argv):
    import functools

    from cyborg.cmd import api
    from cyborg.cmd import common
    from cyborg.common import api_server
    from cyborg.common import service
    from cyborg.conf import CONF
    name = argv[0]
    if name == 'cyborg':
        return api.main(argv[1:])
    common.parse_args(argv[1:])
    service.register_opts(CONF)
    server = api_server.build(api.worker_count(), None)
    api_server.serve(server, functools.partial(_loader, name))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
