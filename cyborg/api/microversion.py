"""Microversions of the v2 API, declared once (api.md §5).

Each constant names what a version enables; ``require()`` raises the
contract's 406 when the negotiated version is below it. The history lives in
``doc/source/contributor/rest_api_version_history.rst``; a unit test keeps
the two in step.
"""
import re

from cyborg.common import exception

SERVICE_TYPE = 'accelerator'
HEADER = 'OpenStack-API-Version'

MIN_VERSION = (2, 0)
BIND_PROJECT_ID = (2, 1)
DEVICE_PROFILE_BY_NAME = (2, 2)
DEVICE_STATUS = (2, 3)
# Paged, sorted lists (limit, marker, sort_key, sort_dir, a next link),
# ARQ list filters and the ARQ field state_reason.
PAGED_LISTS = (2, 4)
ARQ_STATE_REASON = PAGED_LISTS
MAX_VERSION = PAGED_LISTS

HISTORY = {
    MIN_VERSION: 'Baseline.',
    BIND_PROJECT_ID: 'Bind patches may set /project_id (admin only).',
    DEVICE_PROFILE_BY_NAME: 'Device profiles can be shown by name.',
    DEVICE_STATUS: 'Devices include their status.',
    PAGED_LISTS: 'Lists page and sort; ARQ list filters; ARQs include '
                 'state_reason.',
}

_VERSION_RE = re.compile(r'([0-9]+)\.([0-9]+)', re.ASCII)


def to_str(version):
    return '%d.%d' % version


class NegotiationError(Exception):
    """406 of negotiation; ``with_range`` says if min/max headers go out."""

    def __init__(self, detail, with_range):
        super().__init__(detail)
        self.detail = detail
        self.with_range = with_range


def _find_value(header):
    """The version text of the accelerator entry, else the raw header."""
    for entry in header.split(','):
        parts = entry.strip().split(None, 1)
        if parts and parts[0].lower() == SERVICE_TYPE:
            return parts[1].strip() if len(parts) > 1 else ''
    return header.strip()


def negotiate(header):
    """The (major, minor) a request asks for, or NegotiationError."""
    if header is None:
        return MIN_VERSION
    value = _find_value(header)
    if value.lower() == 'latest':
        return MAX_VERSION
    match = _VERSION_RE.fullmatch(value)
    try:
        version = (int(match.group(1)), int(match.group(2)))
    except (AttributeError, ValueError):    # no match; > 4300 digits
        raise NegotiationError(
            'Invalid value for OpenStack-API-Version header', False)
    text = to_str(version)
    supported = '[%s, %s]' % (to_str(MIN_VERSION), to_str(MAX_VERSION))
    if version[0] != MAX_VERSION[0]:
        raise NegotiationError(
            'Mutually exclusive versions requested. Version %s requested '
            'but not supported by this service. The supported version '
            'range is: %s.' % (text, supported), True)
    if version > MAX_VERSION or version < MIN_VERSION:
        raise NegotiationError(
            'Version %s was requested but the minor version is not '
            'supported by this service. The supported version range is: '
            '%s.' % (text, supported), True)
    return version


def range_headers():
    return {'OpenStack-API-Minimum-Version': to_str(MIN_VERSION),
            'OpenStack-API-Maximum-Version': to_str(MAX_VERSION),
            'Vary': HEADER}


def response_headers(version):
    headers = range_headers()
    headers[HEADER] = '%s %s' % (SERVICE_TYPE, to_str(version))
    return headers


_RESPONSE_HEADERS = {}


def response_header_list(version):
    """:func:`response_headers` as ``(name, value)`` pairs, made once per
    version (shared: do not change the list)."""
    pairs = _RESPONSE_HEADERS.get(version)
    if pairs is None:
        pairs = _RESPONSE_HEADERS[version] = list(
            response_headers(version).items())
    return pairs


def require(version, feature):
    if version < feature:
        raise exception.MicroversionRequired(version=to_str(feature))


def at_least(version, feature):
    return version >= feature
