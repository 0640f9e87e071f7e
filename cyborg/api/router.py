"""Routes as data, and the dispatch every request goes through.

Order of checks (api.md §6.1): negotiation (406) -> route (404/405) ->
Accept (406) -> the handler, which authorizes first, then validates, acts
and renders. Handlers are plain functions decorated with ``handler`` that
take an ``ApiRequest`` plus the path parameters.
"""
import functools
import importlib
import json
import logging

from cyborg import context as cyborg_context
from cyborg.api import expose
from cyborg.api import microversion
from cyborg.api import validation
from cyborg.common import exception

LOG = logging.getLogger(__name__)

NOT_FOUND = object()   # a method that upstream answers 404 on a known path

# Controller modules that contribute ROUTES, in matching order.
CONTROLLER_MODULES = [
    'cyborg.api.controllers.root',
    'cyborg.api.controllers.v2.device_profiles',
    'cyborg.api.controllers.v2.arqs',
    'cyborg.api.controllers.v2.devices',
    'cyborg.api.controllers.v2.deployables',
    'cyborg.api.controllers.v2.attributes',
]


def handler(status=200, body=None, query=None, response=None,
            errors=()):
    """Mark a function as a route handler answering ``status``.

    ``body`` and ``query`` are the JSON Schemas the handler validates its
    request with (``query`` is applied by :meth:`ApiRequest.query`),
    ``response`` the schema of what it answers and ``errors`` the 4xx/5xx
    statuses it may give besides the common ones; the OpenAPI document
    (``cyborg.api.openapi``) is generated from them.
    """
    def deco(fn):
        @functools.wraps(fn)
        def wrapper(req, **params):
            return fn(req, **params)
        wrapper.status = status
        wrapper.body_schema = body
        wrapper.query_schema = query
        wrapper.response_schema = response
        wrapper.errors = tuple(errors)
        return wrapper
    return deco


class ApiRequest:
    """What a handler needs: the HTTP request, the caller, the version."""

    def __init__(self, http, version, router, handler_fn=None):
        self.http = http
        self.handler = handler_fn
        self.version = version
        self._router = router
        self.conf = router.conf
        self.context = _context_from(http)
        endpoint = self.conf.api.public_endpoint
        self.base_url = (endpoint.rstrip('/') if endpoint
                         else http.host_url + http.script_name)

    @property
    def conductor(self):
        return self._router.conductor

    def body(self, name):
        return expose.json_body(self.http, name,
                                self.conf.api.max_request_body_size)

    def query(self, *allowed):
        """The query parameters: unknown names are 400s, values are
        checked against the handler's query schema."""
        params = expose.query_args(self.http, allowed)
        schema = getattr(self.handler, 'query_schema', None)
        if schema is not None:
            validation.validate_query(schema, params)
        return params

    def link(self, *parts, rel='self', versioned=True):
        prefix = [self.base_url, 'v2'] if versioned else [self.base_url]
        return {'href': '/'.join(prefix + list(parts)), 'rel': rel}

    def has_service_token(self):
        roles = self.conf.keystone_authtoken.service_token_roles
        return self.context.has_service_token(roles)


def _context_from(http):
    raw = http.environ.get('HTTP_X_SERVICE_CATALOG')
    try:
        # Set by auth_token (api.md §2.5); reduced to what the conductor
        # and the agents need (Glance) and carried over RPC (§2.1).
        catalog = json.loads(raw) if raw is not None else None
    except (ValueError, RecursionError):
        raise exception.Invalid('Invalid X-Service-Catalog header: not '
                                'JSON.')
    try:
        return cyborg_context.RequestContext.from_environ(
            http.environ, service_catalog=catalog)
    except ValueError:
        raise exception.Invalid('Invalid identity headers.')


def _compile(routes):
    table = []
    for template, methods in routes:
        segments = tuple(s for s in template.strip('/').split('/') if s)
        table.append((segments, methods))
    return table


def _match(table, segments):
    for template, methods in table:
        if len(template) != len(segments):
            continue
        params = {}
        for want, got in zip(template, segments):
            if want.startswith('{'):
                params[want[1:-1]] = got
            elif want != got:
                break
        else:
            return methods, params
    return None, None


def normalize(path):
    """Path segments per api.md §2.2 (trailing /, .json, implied v2)."""
    segments = [s for s in path.split('/') if s]
    if segments and segments[-1].endswith('.json'):
        segments[-1] = segments[-1][:-len('.json')]
        if not segments[-1]:
            segments.pop()
    if segments and segments[0] != 'v2':
        segments.insert(0, 'v2')
    return tuple(segments)


def _routes_of(name):
    """ROUTES of a controller module; none if the module does not exist.

    Only the absence of the module itself is tolerated (its paths then
    answer 404); an import error inside it still propagates.
    """
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name != name:
            raise
        LOG.warning('Controller module %s not found; its routes are '
                    'not served.', name)
        return []
    return module.ROUTES


def _check_characters(http, params):
    """No control character or lone surrogate in a path or query
    parameter, whatever the handler (nothing can store or match them)."""
    for name, value in params.items():
        validation.check_query_value(name, value)
    for name, value in http.GET.items():
        validation.check_query_value(name, value)


class Router:
    def __init__(self, conf, conductor_factory):
        self.conf = conf
        self._conductor_factory = conductor_factory
        self._conductor = None
        routes = []
        for name in CONTROLLER_MODULES:
            routes.extend(_routes_of(name))
        self.table = _compile(routes)

    @property
    def conductor(self):
        if self._conductor is None:
            self._conductor = self._conductor_factory()
        return self._conductor

    def __call__(self, http):
        segments = normalize(http.path_info)
        versioned = bool(segments)
        version = microversion.MIN_VERSION
        if versioned:
            try:
                version = microversion.negotiate(
                    http.headers.get(microversion.HEADER))
            except microversion.NegotiationError as e:
                resp = expose.framework_error(406, http, e.detail)
                if e.with_range:
                    resp.headers.update(microversion.range_headers())
                return resp
        methods, params = _match(self.table, segments)
        if methods is None:
            return expose.framework_error(404, http)
        fn = methods.get(http.method)
        if fn is NOT_FOUND:
            return expose.framework_error(404, http)
        if fn is None:
            if http.method == 'HEAD':
                return expose.json_response(405, {'error_message': ''})
            return expose.framework_error(405, http)
        if not expose.accepts_json(http):
            return expose.framework_error(406, http)
        try:
            _check_characters(http, params)
            req = ApiRequest(http, version, self, fn)
            body = fn(req, **params)
            resp = expose.json_response(fn.status, body)
        except Exception as e:  # one error path, see expose
            resp = expose.application_error(e, http)
        if versioned:
            _add_headers(resp, microversion.response_header_list(version))
        return resp


def _add_headers(resp, pairs):
    """``resp.headers.update(pairs)``: appended when none is there yet."""
    present = {name.lower() for name, _value in resp.headerlist}
    if any(name.lower() in present for name, _value in pairs):
        resp.headers.update(dict(pairs))
    else:
        resp.headerlist.extend(pairs)
