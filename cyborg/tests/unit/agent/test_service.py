"""Agent start-up: compute-node provider resolution (internals.md §1.3)."""
import pytest

from cyborg.agent import service
from cyborg.common import exception


class Placement:
    def __init__(self, known=(), fail=()):
        self.known = set(known)
        self.fail = set(fail)
        self.asked = []

    def get_provider_by_name(self, name):
        self.asked.append(name)
        if name in self.fail:
            raise exception.PlacementServerError()
        return {'uuid': 'uuid-' + name} if name in self.known else None


def test_first_candidate_found():
    client = Placement(known={'cn.example.org', 'cn'})
    sleeps = []
    assert service.resolve_compute_node(
        client, ['cn.example.org', 'cn'], 3, sleeps.append) == (
        'cn.example.org', 'uuid-cn.example.org')
    assert sleeps == [] and client.asked == ['cn.example.org']


def test_falls_back_to_host():
    client = Placement(known={'cn'}, fail={'cn.example.org'})
    assert service.resolve_compute_node(
        client, ['cn.example.org', 'cn'], 3, lambda s: None)[0] == 'cn'


def test_retries_with_backoff_then_fails():
    client = Placement()
    sleeps = []
    with pytest.raises(exception.PlacementResourceProviderNotFound):
        service.resolve_compute_node(client, ['a', 'a', 'b'], 3,
                                     sleeps.append)
    assert sleeps == [1, 2, 4]
    assert client.asked == ['a', 'b'] * 4


def test_found_after_a_retry():
    client = Placement()
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        client.known.add('a')
    assert service.resolve_compute_node(client, ['a'], 3, sleep)[0] == 'a'
    assert sleeps == [1]
