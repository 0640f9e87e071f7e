"""Parsing and negotiation of OpenStack-API-Version (api.md §5.3-5.4)."""
import pytest

from cyborg.api import microversion
from cyborg.common import exception

INVALID = 'Invalid value for OpenStack-API-Version header'
RANGE = 'The supported version range is: [2.0, 2.4].'


@pytest.mark.parametrize('header, expected', [
    (None, (2, 0)),                               # absent -> minimum
    ('accelerator 2.0', (2, 0)),
    ('accelerator 2.1', (2, 1)),
    ('accelerator 2.3', (2, 3)),
    ('accelerator 2.4', (2, 4)),
    ('ACCELERATOR 2.2', (2, 2)),                  # service type any case
    ('Accelerator 2.1', (2, 1)),
    ('  accelerator   2.2  ', (2, 2)),            # surrounding whitespace
    ('accelerator latest', (2, 4)),
    ('accelerator LATEST', (2, 4)),
    ('accelerator Latest', (2, 4)),
    ('latest', (2, 4)),                           # legacy bare form
    ('2.1', (2, 1)),                              # legacy bare form
    (' 2.2 ', (2, 2)),
    ('accelerator 2.01', (2, 1)),                 # leading zeros
    ('accelerator 02.003', (2, 3)),
    ('compute 2.5, accelerator 2.1', (2, 1)),     # several services
    ('accelerator 2.2, compute 2.90', (2, 2)),
    ('compute 2.5,accelerator 2.3', (2, 3)),
])
def test_negotiate_accepts(header, expected):
    assert microversion.negotiate(header) == expected


@pytest.mark.parametrize('header', [
    '10', '2', 'abc', 'accelerator 2.x', 'accelerator', '', '   ',
    'compute 2.1', 'accelerator 2.', 'accelerator .1', 'accelerator 2.1.1',
    'accelerator -2.1', 'accelerator 2.1a', 'v2.1', 'accelerator 2,1',
    'compute 2.1, placement 1.2',
    'accelerator \uff12.\uff11',          # non-ASCII digits
    'accelerator \u0662.\u0661',
])
def test_negotiate_invalid_value(header):
    with pytest.raises(microversion.NegotiationError) as e:
        microversion.negotiate(header)
    assert e.value.detail == INVALID
    assert e.value.with_range is False


@pytest.mark.parametrize('header, text', [
    ('1.0', '1.0'), ('1.9', '1.9'), ('3.0', '3.0'),
    ('accelerator 3.0', '3.0'), ('accelerator 0.5', '0.5'),
    ('accelerator 01.0', '1.0'),
])
def test_negotiate_wrong_major(header, text):
    with pytest.raises(microversion.NegotiationError) as e:
        microversion.negotiate(header)
    assert e.value.detail == (
        'Mutually exclusive versions requested. Version %s requested but '
        'not supported by this service. %s' % (text, RANGE))
    assert e.value.with_range is True


@pytest.mark.parametrize('header, text', [
    ('2.5', '2.5'), ('accelerator 2.7', '2.7'), ('accelerator 2.99', '2.99'),
    ('accelerator 2.05', '2.5'),
])
def test_negotiate_minor_out_of_range(header, text):
    with pytest.raises(microversion.NegotiationError) as e:
        microversion.negotiate(header)
    assert e.value.detail == (
        'Version %s was requested but the minor version is not supported '
        'by this service. %s' % (text, RANGE))
    assert e.value.with_range is True


def test_constants():
    assert microversion.MIN_VERSION == (2, 0)
    assert microversion.MAX_VERSION == (2, 4)
    assert microversion.BIND_PROJECT_ID == (2, 1)
    assert microversion.DEVICE_PROFILE_BY_NAME == (2, 2)
    assert microversion.DEVICE_STATUS == (2, 3)
    assert microversion.PAGED_LISTS == (2, 4)
    assert microversion.ARQ_STATE_REASON == (2, 4)
    assert sorted(microversion.HISTORY) == [(2, 0), (2, 1), (2, 2), (2, 3),
                                            (2, 4)]


def test_response_headers():
    assert microversion.response_headers((2, 1)) == {
        'OpenStack-API-Minimum-Version': '2.0',
        'OpenStack-API-Maximum-Version': '2.4',
        'OpenStack-API-Version': 'accelerator 2.1',
        'Vary': 'OpenStack-API-Version',
    }


def test_range_headers_have_no_version():
    headers = microversion.range_headers()
    assert 'OpenStack-API-Version' not in headers
    assert headers['Vary'] == 'OpenStack-API-Version'


@pytest.mark.parametrize('version, feature, ok', [
    ((2, 0), (2, 1), False), ((2, 1), (2, 1), True), ((2, 3), (2, 2), True),
    ((2, 1), (2, 2), False),
])
def test_require_and_at_least(version, feature, ok):
    assert microversion.at_least(version, feature) is ok
    if ok:
        microversion.require(version, feature)
    else:
        with pytest.raises(exception.MicroversionRequired) as e:
            microversion.require(version, feature)
        assert str(e.value) == (
            'Request not acceptable. The minimal required API version '
            'should be %d.%d' % feature)
        assert int(e.value.code) == 406
