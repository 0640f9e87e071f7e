"""The WSGI application and its middleware pipeline, built in code.

Outermost first (api.md §2.1):

0. healthcheck         -- ``[api] healthcheck_path`` answers before
                          anything else: unauthenticated, no request id
                          (``cyborg.api.healthcheck``);
1. CORS                -- answers CORS preflights, decorates responses;
2. HTTPProxyToWSGI     -- applies X-Forwarded-* when the operator enables
                          proxy header parsing, so links use the public URL;
3. RequestId           -- every response carries x-openstack-request-id;
4. authentication      -- keystonemiddleware auth_token, except for the
                          public paths ``/`` and ``/v2``; or, with
                          ``[api] auth_strategy = noauth``, identity from the
                          request headers (admin when none is given);
5. the Pecan app       -- whose root controller hands every path to the
                          router (negotiation, routes, handlers, one error
                          path).
"""
from keystonemiddleware import auth_token
from oslo_middleware import cors
from oslo_middleware import http_proxy_to_wsgi
from oslo_middleware import request_id
import pecan
import pecan.hooks
import webob.exc

from cyborg.api import body_reader
from cyborg.api import expose
from cyborg.api import healthcheck
from cyborg.api import router as api_router
from cyborg.conf import CONF

_PUBLIC_PATHS = {'', 'v2'}
_NOAUTH_ADMIN = {
    'HTTP_X_USER_ID': 'admin',
    'HTTP_X_PROJECT_ID': 'admin',
    'HTTP_X_ROLES': 'admin,manager,member,reader',
}


class JsonOnlyHook(pecan.hooks.PecanHook):
    """The router negotiates Accept itself; stop Pecan from doing it."""

    def on_route(self, state):
        state.request.pecan['content_type'] = 'application/json'


class ErrorHook(pecan.hooks.PecanHook):
    """Errors Pecan raises before the router runs get the contract's shape.

    Pecan answers 400 itself when the path or query string is not UTF-8
    (api.md §3.3: framework errors are wrapped like the router's); anything
    else escaping it becomes the application's 500.
    """

    def on_error(self, state, e):
        if isinstance(e, webob.exc.HTTPException):
            return expose.framework_error(e.status_int, state.request)
        return expose.application_error(e)


class Request(pecan.Request):
    """Pecan's request, minus its JSON pre-parse.

    Pecan decodes every JSON body into keyword arguments before routing;
    an error there (a deeply nested body raises RecursionError) escapes
    the application. The router reads bodies itself (expose.json_body).
    """

    @property
    def json(self):
        raise ValueError('request bodies are read by the router')


class RootController:
    """Pecan root: every path goes to the router (routes are data)."""

    def __init__(self, router):
        self.router = router

    @pecan.expose(content_type='application/json')
    def _route(self, args, request=None):
        return self.dispatch, []

    @pecan.expose(content_type='application/json')
    def dispatch(self, *args, **kwargs):
        return self.router(pecan.request)


def _is_public(path):
    segments = [s for s in path.split('/') if s]
    if segments and segments[-1].endswith('.json'):
        segments[-1] = segments[-1][:-len('.json')]
    return '/'.join(s for s in segments if s) in _PUBLIC_PATHS


class PublicOrAuth:
    """Skip authentication for the public version documents only."""

    def __init__(self, app, authenticated):
        self.app = app
        self.authenticated = authenticated

    def __call__(self, environ, start_response):
        if _is_public(environ.get('PATH_INFO', '')):
            return self.app(environ, start_response)
        return self.authenticated(environ, start_response)


class NoAuth:
    """Identity from the request headers; admin when none is given."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if 'HTTP_X_ROLES' not in environ and \
                'HTTP_X_USER_ID' not in environ:
            environ.update(_NOAUTH_ADMIN)
        return self.app(environ, start_response)


def _conductor_factory():
    from cyborg.conductor import rpcapi
    return rpcapi.ConductorAPI()


def setup_app(conf=CONF, conductor_factory=None):
    router = api_router.Router(conf, conductor_factory or _conductor_factory)
    app = pecan.make_app(RootController(router), debug=False,
                         force_canonical=False,
                         guess_content_type_from_ext=False,
                         request_cls=Request,
                         hooks=[JsonOnlyHook(), ErrorHook()])
    app = body_reader.BodyReader(app, conf)   # unreadable body: 400
    if conf.api.auth_strategy == 'keystone':
        authenticated = auth_token.AuthProtocol(
            app, {'oslo_config_config': conf})
        app = PublicOrAuth(app, authenticated)
    else:
        app = NoAuth(app)
    app = request_id.RequestId(app)
    app = http_proxy_to_wsgi.HTTPProxyToWSGI(app, conf)
    app = cors.CORS(app, conf)
    return healthcheck.wrap(app, conf)
