"""Building blocks shared by the request schemas (data only).

Patterns use the ECMA-262 dialect of JSON Schema and OpenAPI; the
validator (``cyborg.api.validation``) matches them on the whole value.
"""

# What uuid.UUID accepts in practice: hyphenated or plain hex, optionally
# braced or prefixed with urn:uuid: (api.md §7).
UUID_PATTERN = ('^(urn:uuid:)?[{]?[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?'
                '[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}[}]?$')

# The form stored in a 36-character column: hyphenated or plain hex.
PLAIN_UUID_PATTERN = ('^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?'
                      '[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$')

# One token with no space and no control character (host names, project
# ids, ARQ uuid keys of a patch).
TOKEN_PATTERN = '^[^\\u0000-\\u0020\\u007f]+$'

# Free text: no control character except tab, line feed and carriage
# return (descriptions, attribute values).
TEXT_PATTERN = '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$'


def uuid(errors=None, nullable=False):
    schema = {'type': ['string', 'null'] if nullable else 'string',
              'maxLength': 45, 'pattern': UUID_PATTERN}
    if errors:
        schema['x-errors'] = errors
    return schema


def token(max_length=255, nullable=False):
    return {'type': ['string', 'null'] if nullable else 'string',
            'minLength': 1, 'maxLength': max_length,
            'pattern': TOKEN_PATTERN}


def text(max_length, types=('string',)):
    return {'type': list(types) if len(types) > 1 else types[0],
            'maxLength': max_length, 'pattern': TEXT_PATTERN}


def query(properties):
    """A query string: every parameter a string (the last one given)."""
    return {'type': 'object', 'properties': properties}


def query_text():
    """A value a query only compares: any length (a value longer than a
    column matches nothing, as upstream answers), no control character."""
    return {'type': 'string', 'pattern': TEXT_PATTERN}
