"""Every operation of the API has a section in api-ref/.

The operations are the cells of the method matrix of api.md §2.3 that do
something (not the 404/405 cells). POST to an item path (upstream handles it
as a create) is a 405 for us (decisions.md Q21), and ``DELETE
/v2/attributes`` only ever answers 400, so neither is listed. Path
parameters are compared by position, not by name.
"""
import pathlib
import re
import unittest

API_REF = pathlib.Path(__file__).resolve().parents[3] / 'api-ref' / 'source'

OPERATIONS = [
    ('GET', '/'),
    ('GET', '/v2'),
    ('GET', '/v2/device_profiles'),
    ('POST', '/v2/device_profiles'),
    ('DELETE', '/v2/device_profiles'),
    ('GET', '/v2/device_profiles/{uuid_or_name}'),
    ('DELETE', '/v2/device_profiles/{uuid_or_name}'),
    ('GET', '/v2/accelerator_requests'),
    ('POST', '/v2/accelerator_requests'),
    ('PATCH', '/v2/accelerator_requests'),
    ('DELETE', '/v2/accelerator_requests'),
    ('GET', '/v2/accelerator_requests/{uuid}'),
    ('PATCH', '/v2/accelerator_requests/{uuid}'),
    ('DELETE', '/v2/accelerator_requests/{uuid}'),
    ('GET', '/v2/devices'),
    ('GET', '/v2/devices/{uuid}'),
    ('POST', '/v2/devices/{uuid}/enable'),
    ('POST', '/v2/devices/{uuid}/disable'),
    ('GET', '/v2/deployables'),
    ('GET', '/v2/deployables/{uuid}'),
    ('PATCH', '/v2/deployables/{uuid}/program'),
    ('GET', '/v2/attributes'),
    ('POST', '/v2/attributes'),
    ('GET', '/v2/attributes/{uuid}'),
    ('DELETE', '/v2/attributes/{uuid}'),
]

_REST_METHOD = re.compile(r'^\.\. rest_method:: +([A-Z]+) +(\S+)\s*$')
_PARAM = re.compile(r'\{[^}]*\}')


def _normalise(method, path):
    return method, _PARAM.sub('{}', path)


def documented_operations():
    found = set()
    for inc in sorted(API_REF.glob('*.inc')):
        for line in inc.read_text().splitlines():
            match = _REST_METHOD.match(line)
            if match:
                found.add(_normalise(*match.groups()))
    return found


class ApiRefCoverageTest(unittest.TestCase):

    def test_every_operation_is_documented(self):
        wanted = {_normalise(*op) for op in OPERATIONS}
        self.assertEqual(len(OPERATIONS), len(wanted))
        self.assertEqual([], sorted(wanted - documented_operations()))

    def test_nothing_documented_that_is_not_an_operation(self):
        wanted = {_normalise(*op) for op in OPERATIONS}
        self.assertEqual([], sorted(documented_operations() - wanted))

    def test_every_inc_file_is_included(self):
        index = (API_REF / 'index.rst').read_text()
        for inc in API_REF.glob('*.inc'):
            self.assertIn('.. include:: %s' % inc.name, index)

    def test_literalincluded_samples_exist(self):
        pattern = re.compile(r'^\.\. literalinclude:: +(\S+)', re.M)
        for doc in list(API_REF.glob('*.inc')) + [API_REF / 'index.rst']:
            for target in pattern.findall(doc.read_text()):
                self.assertTrue((API_REF / target).is_file(),
                                '%s: missing %s' % (doc.name, target))
