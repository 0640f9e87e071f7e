"""The JSON edge of the API: request bodies in, plain dicts out, error shape.

This is the only module that imports WSME (DESIGN.md): WSME's client-side
error type is accepted from anything below the edge and reported as a 400,
and its UUID type is the one UUID parser of the API.

Two error formats exist (api.md §3):

* application errors: ``{"error_message": "<json text of {faultcode,
  faultstring, debuginfo}>"}``, the inner document serialised as a string;
* framework errors (404/405/406 of routing and negotiation): the same outer
  key, the inner string being ``{"code", "title", "description"}`` as JSON
  text when the client accepts JSON, else a plain-text page.
"""
from http import HTTPStatus
import json
import logging
import math
from urllib import parse

from oslo_db import exception as db_exc
import webob
from wsme import exc as wsme_exc
from wsme import types as wsme_types

from cyborg.api import validation
from cyborg.common import bounded
from cyborg.common import exception
from cyborg.common import rpc

LOG = logging.getLogger(__name__)

JSON = 'application/json'
FORM = 'application/x-www-form-urlencoded'
_UUID = wsme_types.UuidType()


def is_uuid_like(value):
    """True if ``value`` parses as a UUID (hyphenless hex included)."""
    if not isinstance(value, str):
        return False
    try:
        _UUID.validate(value)
    except (ValueError, wsme_exc.ClientSideError, AttributeError):
        return False
    return True


def require_uuid(value, field):
    """400 with the contract's message for a malformed UUID parameter."""
    if not is_uuid_like(value):
        raise exception.InvalidFieldUUID(field=field, value=value)
    return value


# -- responses -------------------------------------------------------------

def json_response(status, body, headers=None):
    """A JSON response: ``Content-Type: application/json`` (no charset)
    and ``Content-Length``, then ``headers``; no body (and no
    ``Content-Type``) when ``body`` is None."""
    if body is None:
        resp = webob.Response(status=int(status))
        resp.body = b''
        resp.content_type = None
        resp.headers.pop('Content-Type', None)
        for name, value in (headers or {}).items():
            resp.headers[name] = value
        return resp
    data = json.dumps(body).encode('utf-8')
    headerlist = [('Content-Type', JSON), ('Content-Length', str(len(data)))]
    if headers:
        headerlist.extend(headers.items())
    return webob.Response(app_iter=[data], status=int(status),
                          headerlist=headerlist)


def _wrapped(inner_text, status):
    return json_response(status, {'error_message': inner_text})


def application_error(exc, request=None):
    """Response for a domain exception (or any exception: 500).

    A 5xx is a fault of ours (or of a service we depend on): the client
    gets one line naming the cause (``exception.describe``: a cyborg
    error's own message, never the remote traceback oslo.messaging appends
    to an error raised in the conductor or an agent; anything else only by
    its class name and the request id), and the log gets the details, the
    traceback (local or remote) included, with the request id.
    """
    if isinstance(exc, exception.ARQsNotResolved):
        return _wrapped('null', HTTPStatus.LOCKED)
    if isinstance(exc, exception.CyborgException):
        status = int(exc.code)
        message = exc.message
        if status >= 500 and exc.client_fault:
            LOG.warning('%s answered %d to a client\'s mistake (the status '
                        'the Tempest plugin asserts): %s (request %s)',
                        _what(request), status, message,
                        _request_id(request))
        elif status >= 500:
            message = exception.describe(exc)
            _log_fault(request, status, message, exc)
    elif isinstance(exc, wsme_exc.ClientSideError):
        status = HTTPStatus.BAD_REQUEST
        message = str(exc.faultstring)
    elif isinstance(exc, db_exc.DBDataError):   # e.g. text over MySQL's 64K
        status = HTTPStatus.BAD_REQUEST
        message = ('Invalid input: a value is too long or out of range for '
                   'the database.')
    else:
        status = HTTPStatus.INTERNAL_SERVER_ERROR
        message = 'Internal error: %s (request %s)' % (
            exception.describe(exc), _request_id(request))
        _log_fault(request, status, message, exc, unexpected=True)
    inner = {'faultcode': 'Client' if status < 500 else 'Server',
             'faultstring': message,
             'debuginfo': None}
    return _wrapped(json.dumps(inner), status)


def _log_fault(request, status, message, exc, unexpected=False):
    """One ERROR line per 5xx: request, status, request id, the client's
    message, and the traceback (the remote one for an error raised in
    another service, else the local one)."""
    trace = rpc.remote_trace(exc)
    LOG.error('%s %s %d: %s (request %s)%s', _what(request),
              'failed unexpectedly with' if unexpected else 'answered',
              status, message, _request_id(request),
              '\nRemote error and traceback:\n%s' % trace if trace else '',
              exc_info=None if trace else exc)


def _request_id(request):
    environ = getattr(request, 'environ', None) or {}
    return environ.get('openstack.request_id', 'unknown')


def _what(request):
    if request is None:
        return 'a request'
    return '%s %s' % (request.method, request.path_info)


_GENERIC = {
    404: 'The resource could not be found.',
    405: 'The method is not allowed for this resource.',
    406: 'The resource could not be generated that was acceptable to your '
         'request.',
}


def framework_error(status, request, detail=''):
    """Response for a routing or negotiation failure (api.md §3.3)."""
    status = HTTPStatus(status)
    if _accepts_json_explicitly(request):
        inner = json.dumps({'code': status.value, 'title': status.phrase,
                            'description': detail})
    else:
        inner = '%d %s\n\n%s\n\n %s' % (status.value, status.phrase,
                                         _GENERIC.get(status.value, ''),
                                         detail)
    return _wrapped(inner, status)


def _accepts_json_explicitly(request):
    accept = request.headers.get('Accept')
    return bool(accept) and 'application/json' in accept.lower()


_JSON_RANGES = {JSON: 2, 'application/*': 1, '*/*': 0}


def accepts_json(request):
    """False when the Accept header excludes JSON (api.md §2.4).

    The most specific range that covers JSON decides, by its q value;
    media-type parameters (``application/json; charset=utf-8``) do not
    make JSON unacceptable. An unparseable header accepts anything.
    """
    header = request.environ.get('HTTP_ACCEPT')
    if not header:
        return True
    known = _ACCEPTS_JSON.get(header)
    if known is None:
        known = bounded.remember(_ACCEPTS_JSON, header,
                                 _accepts_json(request), _ACCEPT_CACHE_SIZE)
    return known


# Accept header -> accepts_json(): the answer depends on the header alone
_ACCEPTS_JSON = {}
_ACCEPT_CACHE_SIZE = 256


def _accepts_json(request):
    parsed = getattr(request.accept, 'parsed', None)
    if parsed is None:
        return True
    best = None
    for media_range, quality, _params, _extensions in parsed:
        rank = _JSON_RANGES.get(media_range.split(';')[0].strip().lower())
        if rank is not None and (best is None or rank > best[0]):
            best = (rank, quality)
    return best is not None and best[1] > 0


# -- requests --------------------------------------------------------------

def query_args(request, allowed):
    """The query parameters, 400 on any name outside ``allowed``."""
    params = request.GET
    for name in params.keys():
        if name not in allowed:
            raise exception.UnknownArgument(name=name)
    return params


def _read(request, max_size):
    """The raw body, 413 beyond ``max_size`` bytes."""
    length = request.content_length
    if length is not None and length > max_size:
        raise exception.RequestEntityTooLarge()
    raw = request.body_file.read(max_size + 1) if length is None \
        else request.body
    if len(raw) > max_size:
        raise exception.RequestEntityTooLarge()
    return raw


def _form_fields(raw):
    """Field names of a form body: upstream reads them as arguments."""
    text = raw.decode('utf-8', 'replace')
    return [k for k, _v in parse.parse_qsl(text, keep_blank_values=True)]


def _no_constant(name):
    raise ValueError('%s is not JSON' % name)


def _finite_float(text):
    value = float(text)
    if math.isinf(value):       # 1e400: too large for a double
        raise ValueError('number out of range: %s' % text[:20])
    return value


def _decode(raw, name):
    """The JSON document of ``raw``: UTF-8, finite numbers only (Python's
    json takes NaN and Infinity by default, and other encodings when given
    bytes), and no control character or lone surrogate in any string."""
    try:
        text = raw.decode('utf-8-sig')
        data = json.loads(text, parse_constant=_no_constant,
                          parse_float=_finite_float)
    except (ValueError, UnicodeError, RecursionError):  # too deep
        raise exception.InvalidJsonBody()
    return validation.check_strings(data, name)


def json_body(request, name, max_size):
    """Decode the JSON body; ``name`` is the contract's argument name.

    A form-encoded body is not JSON: its fields are unknown arguments
    (api.md §2.4), and a form without fields leaves ``name`` missing.
    """
    raw = _read(request, max_size)
    if not raw.strip():
        raise exception.MissingArgument(name=name)
    media = (request.content_type or '').lower()
    if media == FORM:
        fields = _form_fields(raw)
        if fields:
            raise exception.UnknownArgument(name=fields[0])
        raise exception.MissingArgument(name=name)
    if media != JSON:
        raise exception.UnsupportedMediaType(mimetype=media or None)
    return _decode(raw, name)


def no_body(request, max_size):
    """Body-less actions (api.md §2.4), checked as upstream's WSME does.

    A form's fields or a JSON object's keys are unknown arguments, JSON
    that is not an object is a 400 and any other media type a 415.
    """
    raw = _read(request, max_size)
    if not raw.strip():
        return
    media = (request.content_type or '').lower()
    if media == FORM:
        names = _form_fields(raw)
    elif media != JSON:
        raise exception.UnsupportedMediaType(mimetype=media or None)
    else:
        data = _decode(raw, 'body')
        if not isinstance(data, dict):
            raise exception.InvalidParameterValue(
                err='Request must be a JSON dict')
        names = list(data)
    if names:
        raise exception.UnknownArgument(name=', '.join(names))
