"""The WSGI application and its middleware pipeline, built in code.

Outermost first (api.md §2.1):

0. environ clean-up    -- once a response is complete, the keys the request
                          added to its environ go, so that no request
                          leaves a reference cycle for the garbage
                          collector (``cyborg.api.environ_cleanup``);
1. healthcheck         -- ``[api] healthcheck_path`` answers before
                          anything else: unauthenticated, no request id
                          (``cyborg.api.healthcheck``);
2. CORS                -- answers CORS preflights, decorates responses
                          (oslo.middleware's, entered only for a preflight
                          or a request with an Origin);
3. HTTPProxyToWSGI     -- applies X-Forwarded-* when the operator enables
                          proxy header parsing, so links use the public URL
                          (oslo.middleware's, entered only when enabled);
4. RequestId           -- every response carries x-openstack-request-id
                          (oslo.middleware's behaviour, without WebOb);
5. authentication      -- keystonemiddleware auth_token, except for the
                          public paths ``/`` and ``/v2``; or, with
                          ``[api] auth_strategy = noauth``, identity from the
                          request headers (admin when none is given);
6. the Pecan app       -- whose root controller hands every path to the
                          router (negotiation, routes, handlers, one error
                          path); Pecan's controller lookup is reduced to
                          that one step (``Application``).

Each layer does per request only what that request needs: a request's
time should go to its query and its commit (``benchmarks/bench_serving``).
"""
import logging
import re

from keystonemiddleware import auth_token
from oslo_context import context
from oslo_middleware import cors
from oslo_middleware import http_proxy_to_wsgi
from oslo_middleware import request_id
import pecan
import pecan.core
import pecan.hooks
from pecan.middleware import recursive
import webob.exc

from cyborg.api import body_reader
from cyborg.api import environ_cleanup
from cyborg.api import expose
from cyborg.api import healthcheck
from cyborg.api import router as api_router
from cyborg.conf import CONF

LOG = logging.getLogger(__name__)
_PUBLIC_PATHS = {'', 'v2'}
_NOAUTH_ADMIN = {
    'HTTP_X_USER_ID': 'admin',
    'HTTP_X_PROJECT_ID': 'admin',
    'HTTP_X_ROLES': 'admin,manager,member,reader',
}


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
    """Pecan's request, minus its JSON pre-parse and its per-attribute
    guard.

    Pecan decodes every JSON body into keyword arguments before routing;
    an error there (a deeply nested body raises RecursionError) escapes
    the application. The router reads bodies itself (expose.json_body).

    pecan.Request wraps every attribute read (WebOb's own included, some
    seventy per request) to turn a UnicodeDecodeError into a 400; the
    reads that can raise it, the path and the parameters, are made once
    in ``Application.find_controller``, which answers that 400 itself.
    """

    __getattribute__ = object.__getattribute__

    @property
    def json(self):
        raise ValueError('request bodies are read by the router')


class RootController:
    """Pecan root: every path goes to the router (routes are data)."""

    def __init__(self, router):
        self.router = router

    @pecan.expose(content_type='application/json')
    def dispatch(self, request):
        return self.router(request)


class Application(pecan.core.PecanBase):
    """Pecan's application with its controller lookup reduced to what the
    router leaves it.

    Pecan's own lookup walks the root controller object by object (and
    inspects each controller's signature, twice per request) to reach the
    one exposed method that hands every path to the router. Here that
    method is found at once, after the same reads Pecan did before any
    controller ran: the path and the query (or form) parameters, with
    pecan.Request's 400 when they are not UTF-8 (``ErrorHook`` gives it
    the contract's shape); the response is JSON.
    Hooks, error handling and the response cycle are Pecan's.
    No thread-local request: the router is given the request.
    """

    def find_controller(self, state):
        req = state.request
        pecan_state = req.pecan
        try:
            pecan_state['routing_path'] = req.path_info
            # as Pecan: GET's query, else the query and any form fields
            pecan_state['params'] = req.GET if req.method == 'GET' \
                else req.params
        except UnicodeDecodeError:
            # pecan.Request's 400; a client's mistake, so one INFO line
            # where Pecan logs an ERROR with its traceback
            LOG.info('%s from %s: the path or query string is not UTF-8 '
                     '(request %s)', req.method, req.remote_addr,
                     req.environ.get('openstack.request_id'))
            pecan.abort(400)
        pecan_state['extension'] = None
        pecan_state['content_type'] = expose.JSON
        controller = self.root.dispatch
        state.controller = controller
        return controller, [], {}

    def invoke_controller(self, controller, args, kwargs, state):
        state.response = controller(state.request)


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


class RequestId:
    """oslo.middleware's request id without its WebOb round trip.

    Every request gets ``openstack.request_id`` (``req-<uuid4>``), an
    inbound ``X-OpenStack-Request-ID`` of that form becomes
    ``openstack.global_request_id``, and every response carries
    ``x-openstack-request-id`` unless the application set it; a HEAD
    response has no body (``tests/unit/api/test_pipeline`` compares it
    with oslo.middleware's).
    """

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        inbound = environ.get('HTTP_X_OPENSTACK_REQUEST_ID', '')
        if inbound and _GLOBAL_ID.match(inbound):
            environ[request_id.GLOBAL_REQ_ID] = inbound
        req_id = context.generate_request_id()
        environ[request_id.ENV_REQUEST_ID] = req_id

        def start(status, headers, exc_info=None):
            for name, _value in headers:
                if name.lower() == _REQUEST_ID_HEADER:
                    break
            else:
                headers = list(headers)
                headers.append((_REQUEST_ID_HEADER, req_id))
            return start_response(status, headers, exc_info)

        result = self.app(environ, start)
        if environ.get('REQUEST_METHOD') == 'HEAD':
            return _without_body(result)    # as a WebOb response answers
        return result


def _without_body(result):
    try:
        for _chunk in result:
            pass
    finally:
        close = getattr(result, 'close', None)
        if close is not None:
            close()
    return []


_GLOBAL_ID = re.compile(request_id.ID_FORMAT)
_REQUEST_ID_HEADER = request_id.HTTP_RESP_HEADER_REQUEST_ID


class Cors:
    """oslo.middleware's CORS, entered only when it can change something:
    a preflight (``OPTIONS``) or a request with an ``Origin`` header (it
    leaves every other response as it is)."""

    def __init__(self, app, conf):
        self.app = app
        self.cors = cors.CORS(app, conf)

    def __call__(self, environ, start_response):
        if 'HTTP_ORIGIN' in environ or \
                environ.get('REQUEST_METHOD') == 'OPTIONS':
            return self.cors(environ, start_response)
        return self.app(environ, start_response)


class ProxyHeaders:
    """oslo.middleware's HTTPProxyToWSGI, entered only while
    ``[oslo_middleware] enable_proxy_headers_parsing`` is on (it does
    nothing otherwise)."""

    def __init__(self, app, conf):
        self.app = app
        self.proxy = http_proxy_to_wsgi.HTTPProxyToWSGI(app, conf)

    def __call__(self, environ, start_response):
        if self.proxy._conf_get('enable_proxy_headers_parsing'):
            return self.proxy(environ, start_response)
        return self.app(environ, start_response)


def _conductor_factory():
    from cyborg.conductor import rpcapi
    return rpcapi.ConductorAPI()


def setup_app(conf=CONF, conductor_factory=None):
    router = api_router.Router(conf, conductor_factory or _conductor_factory)
    app = Application(RootController(router), debug=False,
                      force_canonical=False,
                      guess_content_type_from_ext=False,
                      request_cls=Request, hooks=[ErrorHook()])
    # as pecan.make_app: internal redirects (unused, kept for parity)
    app = recursive.RecursiveMiddleware(app)
    app = body_reader.BodyReader(app, conf)   # unreadable body: 400
    if conf.api.auth_strategy == 'keystone':
        authenticated = auth_token.AuthProtocol(
            app, {'oslo_config_config': conf})
        app = PublicOrAuth(app, authenticated)
    else:
        app = NoAuth(app)
    app = RequestId(app)
    app = ProxyHeaders(app, conf)
    app = Cors(app, conf)
    return environ_cleanup.EnvironCleanup(healthcheck.wrap(app, conf))
