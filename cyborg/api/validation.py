"""Request validation against the JSON Schemas of ``cyborg.api.schemas``.

Every request body and query string is checked here before any database
or RPC work (decisions.md D5.5). The schemas are data; this module is the
engine that applies them and turns the first failure into the contract's
400 (api.md §3.1).

Two things differ from a stock JSON Schema validator, on purpose:

* ``pattern`` is matched on the whole value. Python's ``$`` also matches
  before a trailing newline, so ``^[a-z]+$`` would let ``"gpu\\n"`` pass;
  the schemas are written in the ECMA-262 dialect of OpenAPI (``$`` = end
  of input) and an unescaped ``$`` is compiled as ``\\Z`` here.
* The first failure wins, in the order the schema lists its keywords and
  properties, so a schema also states the order of the checks.

A schema node may carry two annotations, ignored by other tools:

* ``x-errors``: keyword -> faultstring template, where upstream has an
  exact message (``{value}`` is the offending value, ``{tail}`` the text
  after its first ``:``, stripped, ``{type}`` its Python type name and
  ``{field}`` where it is, e.g. ``groups[0][accel:x]``);
* ``x-status``: keyword -> HTTP status, for the 500s the upstream Tempest
  plugin asserts (decisions.md Q3/Q4). Every other failure is a 400.
"""
import functools
import json
import re

import jsonschema
from jsonschema import validators

from cyborg.common import bounded
from cyborg.common import exception

X_ERRORS = 'x-errors'
X_STATUS = 'x-status'
_VALUE_SHOWN = 255          # characters of a bad value quoted back


class InvalidInput(exception.Invalid):
    msg_fmt = ("Invalid input for field/attribute %(field)s. Value: "
               "'%(value)s'. %(reason)s")


class SchemaViolation(exception.Invalid):
    """A failure whose message (and maybe status) the schema gives."""
    msg_fmt = '%(message)s'
    client_fault = True     # even where the schema's status is a 500

    def __init__(self, message, status=None):
        super().__init__(message=message)
        if status is not None:
            self.code = status


# -- patterns on the whole value ----------------------------------------------

_END = re.compile(r'(?<!\\)\$')


@functools.lru_cache(maxsize=256)
def compile_pattern(pattern):
    """``pattern`` with every unescaped ``$`` meaning end of input."""
    return re.compile(_END.sub(r'\\Z', pattern))


def _pattern(validator, pattern, instance, schema):
    if validator.is_type(instance, 'string') and \
            not compile_pattern(pattern).search(instance):
        yield jsonschema.ValidationError(
            '%r does not match %r' % (instance, pattern))


def _property_names(validator, property_names, instance, schema):
    """Errors on a key carry the key as their path (stock ones do not)."""
    if not validator.is_type(instance, 'object'):
        return
    for name in instance:
        for error in validator.descend(name, property_names, path=name):
            error.is_key = True
            yield error


_BASE = validators.Draft202012Validator
Validator = validators.extend(_BASE, {'pattern': _pattern,
                                      'propertyNames': _property_names})


# id(schema) -> (schema, its validator); the schemas are module constants.
_VALIDATORS = {}


def _validator(schema):
    entry = _VALIDATORS.get(id(schema))
    if entry is None or entry[0] is not schema:
        entry = _VALIDATORS[id(schema)] = (schema, Validator(schema))
    return entry[1]


def check_schema(schema):
    """Raise if ``schema`` is not a valid JSON Schema (used by tests)."""
    _BASE.check_schema(schema)


# -- messages ---------------------------------------------------------------

def shown(value):
    """A value as quoted back to the client, never unbounded."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > _VALUE_SHOWN:
        text = text[:_VALUE_SHOWN] + '...'
    return text


_TYPE_NAMES = {'string': 'a string', 'integer': 'an integer',
               'number': 'a number', 'object': 'an object',
               'array': 'an array', 'boolean': 'a boolean',
               'null': 'null'}


# keyword -> message, with the keyword's value (a bound or a pattern).
_REASONS = {
    'pattern': 'Value should match the pattern %s',
    'minLength': 'Value should be at least %d characters long.',
    'maxLength': 'Value should be at most %d characters long.',
    'minimum': 'Value should be at least %s.',
    'maximum': 'Value should be at most %s.',
    'minItems': 'Value should have at least %d elements.',
    'maxItems': 'Value should have at most %d elements.',
    'minProperties': 'Value should have at least %d members.',
    'maxProperties': 'Value should have at most %d members.',
}


def _reason(error):
    keyword, expected = error.validator, error.validator_value
    if keyword == 'type':
        kinds = [expected] if isinstance(expected, str) else expected
        return 'Value should be %s.' % ' or '.join(
            _TYPE_NAMES.get(k, k) for k in kinds)
    if keyword == 'enum':
        return 'Value should be one of: %s' % ', '.join(
            str(v) for v in expected)
    if keyword in _REASONS:
        return _REASONS[keyword] % (expected,)
    if keyword == 'not':
        return 'Value is not allowed.'
    return 'Value is not valid.'


def _field(error, root_name):
    """Name of the failing value, e.g. ``groups[0][resources:GPU]``."""
    name = root_name
    path = list(error.absolute_path)
    if path and isinstance(path[0], int) and len(path) > 1:
        path.pop(0)         # the one profile of a create, an op of a list
    for part in path:
        if isinstance(part, int):
            name += '[%d]' % part
        elif name == root_name:
            name = str(part)
        else:
            name += '[%s]' % part
    return name


def _tail(value):
    text = value if isinstance(value, str) else str(value)
    return text.split(':', 1)[1].strip() if ':' in text else text


def to_exception(error, root_name):
    """The contract's exception for one ``ValidationError``."""
    keyword = error.validator
    if keyword == 'required':
        missing = [name for name in error.validator_value
                   if name not in error.instance]
        template = error.schema.get(X_ERRORS, {}).get('required')
        if template is None:
            return exception.MissingArgument(name=missing[0])
        return SchemaViolation(template.format(value=missing[0],
                                               tail=missing[0]),
                               error.schema.get(X_STATUS, {}).get(keyword))
    template = error.schema.get(X_ERRORS, {}).get(keyword)
    if template is not None:
        return SchemaViolation(
            template.format(value=shown(error.instance),
                            tail=shown(_tail(error.instance)),
                            type=type(error.instance).__name__,
                            field=_field(error, root_name)),
            error.schema.get(X_STATUS, {}).get(keyword))
    return InvalidInput(field=_field(error, root_name),
                        value=shown(error.instance), reason=_reason(error))


def first_error(schema, instance):
    """The first ``ValidationError`` of ``instance``, or None."""
    return next(iter(_validator(schema).iter_errors(instance)), None)


def validate(schema, instance, root_name):
    """Raise the contract's error for the first failure, if any."""
    key = _valid_key(schema, instance)
    if key is not None and key in _VALID:
        return instance
    error = first_error(schema, instance)
    if error is not None:
        raise to_exception(error, root_name)
    if key is not None:
        bounded.remember(_VALID, key, True, _VALID_MAX)
    return instance


# (id(schema), JSON text of a small instance) of instances found valid:
# validity depends on the schema (a module constant, see _validator) and
# the instance alone, and the same small documents (an ARQ create's
# profile name, a query parameter) come again and again.
_VALID = {}
_VALID_MAX = 2048
_VALID_TEXT_MAX = 512


_SCALARS = (str, int, float, bool, type(None))
_VALID_NODES_MAX = 32


def _plain_json(instance):
    """Whether ``instance`` is a small document of JSON's own types
    (exactly: no tuple, no subclass), so that its JSON text tells it
    apart from any other instance."""
    stack, seen = [instance], 0
    while stack:
        value = stack.pop()
        seen += 1
        if seen > _VALID_NODES_MAX:
            return False
        kind = type(value)
        if kind is dict:
            for key, item in value.items():
                if type(key) is not str:
                    return False
                stack.append(item)
        elif kind is list:
            stack.extend(value)
        elif kind not in _SCALARS:
            return False
    return True


def _valid_key(schema, instance):
    if _VALIDATORS.get(id(schema), (None,))[0] is not schema:
        return None         # not seen yet: no id() to trust
    if not _plain_json(instance):
        return None
    try:
        text = json.dumps(instance, allow_nan=False)
    except ValueError:
        return None
    if len(text) > _VALID_TEXT_MAX:
        return None
    return id(schema), text


# -- what every string must be ----------------------------------------------

# C0 controls except tab, LF and CR, DEL; and UTF-16 surrogates, which a
# JSON escape (or CESU-8 bytes) can smuggle in but nothing can store.
_FORBIDDEN = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]')
_FORBIDDEN_IN_QUERY = re.compile('[\x00-\x1f\x7f\ud800-\udfff]')


def _bad_char(text, where, pattern=_FORBIDDEN):
    match = pattern.search(text)
    if match is None:
        return
    char = match.group()
    kind = ('an unpaired UTF-16 surrogate' if '\ud800' <= char <= '\udfff'
            else 'the control character U+%04X' % ord(char))
    raise InvalidInput(field=where, value=shown(text.encode(
        'ascii', 'backslashreplace').decode()),
        reason='Value contains %s.' % kind)


def check_strings(data, root_name):
    """Refuse control characters and lone surrogates anywhere in ``data``
    (keys included), iteratively: depth is bounded by the JSON parser."""
    stack = [(data, root_name)]
    while stack:
        value, where = stack.pop()
        if isinstance(value, str):
            _bad_char(value, where)
        elif isinstance(value, dict):
            for key, item in value.items():
                _bad_char(key, where)
                stack.append((item, '%s[%s]' % (where, shown(key))))
        elif isinstance(value, list):
            stack.extend((item, '%s[%d]' % (where, i))
                         for i, item in enumerate(value))
    return data


def check_query_value(name, value):
    """A query or path parameter: no control character at all."""
    _bad_char(name, name, _FORBIDDEN_IN_QUERY)
    _bad_char(value, name, _FORBIDDEN_IN_QUERY)


def validate_query(schema, params):
    """A query string: of a repeated named parameter the last value counts
    (webob's, and so upstream's, reading); a repeatable one (``filters``)
    has every value checked."""
    named = schema.get('properties', {})
    for name in dict.fromkeys(params.keys()):
        values = [params[name]] if name in named or not hasattr(
            params, 'getall') else params.getall(name)
        for value in values:
            validate(schema, {name: value}, 'query')
    return params
