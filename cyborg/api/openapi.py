"""The OpenAPI 3.1 document of the API, generated from the routes and the
schemas their handlers validate with (``router.handler``), so that the
published contract cannot drift from what the service checks.

``python -m cyborg.api.openapi [--output api-ref/openapi.yaml]`` writes
it; a unit test keeps the checked-in file current.
"""
import argparse
import copy
import importlib
import sys

import yaml

from cyborg.api import microversion
from cyborg.api import router
from cyborg.api.schemas import responses

OUTPUT = 'api-ref/openapi.yaml'
_COMMON_ERRORS = (400, 403, 406)
_BODY_ERRORS = (413, 415)
_REASONS = {
    400: 'Bad request: the body, a query or path parameter is invalid.',
    403: 'Forbidden by policy, or a service token is required.',
    404: 'Not found.',
    406: 'Microversion not supported or needed, or Accept excludes JSON.',
    409: 'Conflict with the current state.',
    413: 'Request body too large.',
    415: 'Request body not application/json.',
    423: 'Accelerator requests of the instance are not resolved yet.',
    500: ('Only for a device-profile create whose name is empty or longer '
          'than 255 characters, or whose uuid is taken: the upstream '
          'Tempest plugin asserts these 500s (decisions.md Q3, Q4).'),
}
_METHODS = ('GET', 'POST', 'PATCH', 'PUT', 'DELETE')
_PARAM_DOCS = {
    'uuid': 'The resource uuid.',
    'uuid_or_name': 'A uuid, or (microversion 2.2 and later) a name; a '
                    'delete also takes a comma-separated list of names.',
}


def _operations():
    """(template, method, handler) of every routed operation, in order."""
    for name in router.CONTROLLER_MODULES:
        module = importlib.import_module(name)
        for template, methods in module.ROUTES:
            for method in _METHODS:
                fn = methods.get(method)
                if fn is not None and fn is not router.NOT_FOUND:
                    yield template, method, fn


def _clean(schema):
    """A deep copy (the document must not share the service's dicts)."""
    return copy.deepcopy(schema)


def _query_parameters(schema):
    params = []
    for name, sub in schema.get('properties', {}).items():
        params.append({'name': name, 'in': 'query', 'required': False,
                       'schema': _clean(sub)})
    for pattern, sub in schema.get('patternProperties', {}).items():
        name = 'filters.%s' % ('field' if 'field' in pattern else 'value')
        params.append({
            'name': name, 'in': 'query', 'required': False,
            'description': 'Repeatable; also filters[<i>].%s (parameter '
                           'names matching %s).' % (name[8:], pattern),
            'schema': _clean(sub)})
    return params


def _path_parameters(template):
    return [{'name': part[1:-1], 'in': 'path', 'required': True,
             'description': _PARAM_DOCS.get(part[1:-1], ''),
             'schema': {'type': 'string', 'minLength': 1}}
            for part in template.split('/') if part.startswith('{')]


def _error():
    return {'description': '', 'content': {'application/json': {
        'schema': {'$ref': '#/components/schemas/Error'}}}}


def _responses(template, method, fn):
    ok = {'description': 'Success.'}
    if fn.response_schema is not None:
        ok['content'] = {'application/json': {
            'schema': _clean(fn.response_schema)}}
    out = {str(fn.status): ok}
    if template in ('/',):
        return out
    codes = set(_COMMON_ERRORS) | set(fn.errors)
    if fn.body_schema is not None or method in ('POST', 'PATCH'):
        codes |= set(_BODY_ERRORS)
    if '{' in template:
        codes.add(404)
    for code in sorted(codes):
        error = _error()
        error['description'] = _REASONS[code]
        out[str(code)] = error
    return out


def _operation(template, method, fn):
    doc = (fn.__doc__ or '').strip().splitlines()
    op = {'operationId': '%s.%s' % (fn.__module__.rsplit('.', 1)[-1],
                                    fn.__name__),
          'summary': doc[0] if doc else '%s %s' % (method, template)}
    params = _path_parameters(template)
    if fn.query_schema is not None:
        params += _query_parameters(fn.query_schema)
    if params:
        op['parameters'] = params
    if fn.body_schema is not None:
        op['requestBody'] = {'required': True, 'content': {
            'application/json': {'schema': _clean(fn.body_schema)}}}
    op['responses'] = _responses(template, method, fn)
    return op


def document():
    """The OpenAPI document as a dict."""
    paths, seen = {}, set()
    for template, method, fn in _operations():
        op = _operation(template, method, fn)
        if op['operationId'] in seen:       # one handler on two paths
            op['operationId'] += '_item'
        seen.add(op['operationId'])
        paths.setdefault(template, {})[method.lower()] = op
    return {
        'openapi': '3.1.0',
        'info': {
            'title': 'OpenStack Cyborg API',
            'version': microversion.to_str(microversion.MAX_VERSION),
            'description': (
                'Accelerator API v2, microversions %s to %s. Generated from '
                'the request schemas of cyborg/api/schemas by '
                '`python -m cyborg.api.openapi`; do not edit by hand. '
                'Schema patterns are matched on the whole value; x-errors '
                'and x-status give the faultstring and status of a failed '
                'keyword where the contract fixes them (api.md).'
                % (microversion.to_str(microversion.MIN_VERSION),
                   microversion.to_str(microversion.MAX_VERSION))),
        },
        'paths': paths,
        'components': {'schemas': {'Error': _clean(responses.ERROR)}},
    }


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data):
        return True


def render():
    """The document as YAML text (what api-ref/openapi.yaml holds)."""
    return yaml.dump(document(), Dumper=_Dumper, sort_keys=False,
                     allow_unicode=False, width=79)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--output', '-o', default='-',
                        help='file to write, or - for stdout (default); '
                             'the checked-in copy is %s' % OUTPUT)
    args = parser.parse_args(argv)
    text = render()
    if args.output == '-':
        sys.stdout.write(text)
    else:
        with open(args.output, 'w', encoding='utf-8') as f:
            f.write(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
