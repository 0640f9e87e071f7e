"""The lean layers of the pipeline answer exactly as oslo.middleware's.

``cyborg.api.app`` enters oslo.middleware's CORS only for a preflight or a
request with an Origin, its HTTPProxyToWSGI only while proxy header
parsing is on, and sets the request id without WebOb. Each request below
goes through both stacks (the same inner application, the same request
ids): status, headers, body and what the application saw must be equal.
"""
import itertools

from oslo_config import cfg
from oslo_context import context
from oslo_middleware import cors
from oslo_middleware import http_proxy_to_wsgi
from oslo_middleware import request_id
import pytest
import webob

from cyborg.api import app as api_app

ORIGIN = 'https://dashboard.example.com'


def _conf(proxy_parsing):
    conf = cfg.ConfigOpts()
    conf([], project='cyborg-test', default_config_files=[],
         default_config_dirs=[])
    conf.register_opts(cors.CORS_OPTS, 'cors')
    conf.register_opts(http_proxy_to_wsgi.OPTS, 'oslo_middleware')
    conf.set_override('allowed_origin', [ORIGIN], 'cors')
    conf.set_override('allow_methods', ['GET', 'POST'], 'cors')
    conf.set_override('allow_headers', ['X-Auth-Token'], 'cors')
    conf.set_override('expose_headers', ['OpenStack-API-Version'], 'cors')
    conf.set_override('max_age', 600, 'cors')
    conf.set_override('enable_proxy_headers_parsing', proxy_parsing,
                      'oslo_middleware')
    return conf


def _inner(seen, extra_headers=(), status='200 OK'):
    def app(environ, start_response):
        seen.append({k: environ.get(k) for k in (
            'wsgi.url_scheme', 'HTTP_HOST', 'REMOTE_ADDR',
            request_id.ENV_REQUEST_ID, request_id.GLOBAL_REQ_ID)})
        body = b'{"ok": true}'
        start_response(status, [('Content-Type', 'application/json'),
                                ('Content-Length', str(len(body)))]
                       + list(extra_headers))
        return [body]
    return app


def _stacks(conf, inner):
    ours = api_app.Cors(api_app.ProxyHeaders(api_app.RequestId(inner),
                                             conf), conf)
    theirs = cors.CORS(http_proxy_to_wsgi.HTTPProxyToWSGI(
        request_id.RequestId(inner), conf), conf)
    return ours, theirs


REQUESTS = [
    ('GET', {}),
    ('HEAD', {}),
    ('POST', {'Content-Type': 'application/json'}),
    ('GET', {'Origin': ORIGIN}),
    ('GET', {'Origin': 'https://elsewhere.example.com'}),
    ('OPTIONS', {}),
    ('OPTIONS', {'Origin': ORIGIN}),
    ('OPTIONS', {'Origin': ORIGIN, 'Access-Control-Request-Method': 'GET',
                 'Access-Control-Request-Headers': 'X-Auth-Token'}),
    ('OPTIONS', {'Origin': ORIGIN,
                 'Access-Control-Request-Method': 'DELETE'}),
    ('GET', {'X-Forwarded-Proto': 'https',
             'X-Forwarded-Host': 'api.example.com'}),
    ('GET', {'Forwarded': 'for=192.0.2.60;proto=https;host=h.example'}),
    ('GET', {'X-OpenStack-Request-ID':
             'req-8f4e1a3c-2b7d-4e5f-9a0b-1c2d3e4f5a6b'}),
    ('GET', {'X-OpenStack-Request-ID': 'req-not-a-uuid'}),
    ('GET', {'X-OpenStack-Request-ID': ''}),
]


@pytest.mark.parametrize('proxy_parsing', [False, True])
@pytest.mark.parametrize('inner_status', ['200 OK', '404 Not Found'])
@pytest.mark.parametrize('inner_id', [False, True])
@pytest.mark.parametrize('method,headers', REQUESTS)
def test_same_answer_as_oslo_middleware(monkeypatch, proxy_parsing,
                                        inner_status, inner_id, method,
                                        headers):
    extra = [('X-OpenStack-Request-Id', 'req-from-app')] if inner_id else []
    conf = _conf(proxy_parsing)
    answers = []
    for which in (0, 1):
        ids = itertools.count()
        monkeypatch.setattr(context, 'generate_request_id',
                            lambda ids=ids: 'req-%08d' % next(ids))
        seen = []
        app = _stacks(conf, _inner(seen, extra, inner_status))[which]
        req = webob.Request.blank('/v2/devices', method=method,
                                  headers=headers)
        if method == 'POST':
            req.body = b'{}'
        resp = req.get_response(app)
        answers.append((resp.status, resp.headerlist, resp.body, seen))
    ours, theirs = answers
    assert ours == theirs
