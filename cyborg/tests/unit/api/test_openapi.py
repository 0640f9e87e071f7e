"""The published OpenAPI document: valid OpenAPI 3.1, current with the
schemas it is generated from, and covering every routed operation."""
import pathlib

from openapi_spec_validator import validate
import yaml

from cyborg.api import openapi
from cyborg.api import router

DOCUMENT = pathlib.Path(__file__).parents[4] / openapi.OUTPUT


def test_checked_in_document_is_current():
    assert DOCUMENT.read_text() == openapi.render(), (
        'api-ref/openapi.yaml is stale: run '
        '`python -m cyborg.api.openapi -o api-ref/openapi.yaml`')


def test_document_is_valid_openapi_31():
    doc = yaml.safe_load(DOCUMENT.read_text())
    assert doc['openapi'] == '3.1.0'
    validate(doc)


def test_every_routed_operation_is_documented():
    doc = openapi.document()
    for template, method, fn in openapi._operations():
        op = doc['paths'][template][method.lower()]
        assert str(fn.status) in op['responses']
        if fn.body_schema is not None:
            schema = op['requestBody']['content']['application/json'][
                'schema']
            assert schema == fn.body_schema


def test_every_body_reading_handler_declares_its_schema():
    """A handler that reads a body names the schema it validates with,
    so the document cannot miss one (body-less actions excepted)."""
    bodyless = {'enable', 'disable'}
    for template, method, fn in openapi._operations():
        if method in ('POST', 'PATCH') and fn.__name__ not in bodyless:
            assert fn.body_schema is not None, (method, template)


def test_documented_500_is_only_the_tempest_quirks():
    doc = openapi.document()
    with_500 = [(path, method) for path, ops in doc['paths'].items()
                for method, op in ops.items() if '500' in op['responses']]
    assert with_500 == [('/v2/device_profiles', 'post')]
    assert router.CONTROLLER_MODULES
