"""validation.validate remembers valid small documents per schema; the
answer must stay the schema's for every instance."""
import pytest

from cyborg.api import validation

SCHEMA = {
    'type': 'object',
    'properties': {'n': {'type': 'integer'},
                   'items': {'type': 'array'},
                   'name': {'type': 'string', 'maxLength': 3}},
    'additionalProperties': False,
}


@pytest.mark.parametrize('instance,valid', [
    ({'n': 1}, True),
    ({'n': True}, False),           # 1 == True in Python, not in JSON
    ({'n': 1.5}, False),
    ({'items': [1, 2]}, True),
    ({'items': (1, 2)}, False),     # not JSON's array type
    ({'name': 'abc'}, True),
    ({'name': 'abcd'}, False),
    ({'other': 1}, False),
])
def test_answers_are_the_schemas_before_and_after_caching(instance, valid):
    for _ in range(3):              # computed, then possibly remembered
        if valid:
            assert validation.validate(SCHEMA, instance, 'body') is instance
        else:
            with pytest.raises(Exception):
                validation.validate(SCHEMA, instance, 'body')
    # the same answers, interleaved with the cached ones
    with pytest.raises(Exception):
        validation.validate(SCHEMA, {'n': True}, 'body')
    validation.validate(SCHEMA, {'n': 1}, 'body')


def test_only_small_plain_documents_are_remembered():
    validation.validate(SCHEMA, {'n': 1}, 'body')
    assert validation._valid_key(SCHEMA, {'n': 1}) is not None
    assert validation._valid_key(SCHEMA, {'items': (1,)}) is None
    assert validation._valid_key(SCHEMA, {'items': list(range(100))}) is None
    assert validation._valid_key({'type': 'object'}, {}) is None  # unseen
