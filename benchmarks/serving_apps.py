"""Baseline applications of ``bench_serving``, and cyborg-api's server for
any application.

``bare``: a WSGI callable answering a fixed JSON document; ``pecan_app``: a
bare Pecan application (one root controller returning the same document,
no middleware). ``python -m benchmarks.serving_apps NAME --config-file F``
serves ``bare``, ``pecan`` or ``cyborg`` exactly as ``cyborg-api`` does
(the same launcher and cheroot server, ``[api]`` options of F).
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


def main(argv):
    import functools

    from cyborg.cmd import api
    from cyborg.cmd import common
    from cyborg.common import service
    from cyborg.common import wsgi_service
    from cyborg.conf import CONF
    name = argv[0]
    if name == 'cyborg':
        return api.main(argv[1:])
    common.parse_args(argv[1:])
    service.register_opts(CONF)
    app = {'bare': bare, 'pecan': pecan_app}[name]
    sock = wsgi_service.listen(CONF.api.host_ip, CONF.api.port)

    def build():
        return wsgi_service.WSGIServer(
            app, sock, threads=CONF.api.worker_threads,
            read_timeout=CONF.api.client_socket_timeout)

    return service.run(CONF, service.Managed(functools.partial(build)),
                       workers=api.worker_count())


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
