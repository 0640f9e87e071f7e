"""Run every gabbi story in ``gabbits/`` in-process (wsgi-intercept).

Each ``*.yaml`` file is one story with its own fixtures (see
``gabbi_fixtures``); any file added to the directory is picked up and
becomes one pytest test. The story runs as gabbi's own suite (fixtures
started once, requests in order), and every failing request is reported
with gabbi's message.

gabbi's pytest plugin is not used: it parses every collected test id of
the session and breaks on ids that contain a colon (PCI addresses).
"""
import os
import unittest

from gabbi import driver
import pytest

from cyborg.tests.functional.api import gabbi_fixtures

TESTS_DIR = os.path.join(os.path.dirname(__file__), 'gabbits')
STORIES = sorted(f[:-len('.yaml')] for f in os.listdir(TESTS_DIR)
                 if f.endswith('.yaml'))


def _suites():
    loader = unittest.TestLoader()
    tests = driver.build_tests(
        TESTS_DIR, loader, intercept=gabbi_fixtures.setup_app,
        fixture_module=gabbi_fixtures, test_loader_name=__name__)
    suites = {}
    for suite in tests:
        first = next(iter(suite), None)
        if first is None:
            continue
        suites[_story_of(first)] = suite
    return suites


def _story_of(test):
    # gabbi names test classes <story>_<test name>; take the longest story
    # name that prefixes it (stories may prefix each other).
    name = test.__class__.__name__
    matches = [s for s in STORIES if name.startswith(s + '_')]
    return max(matches, key=len) if matches else name


_cache = {}


@pytest.mark.parametrize('story', STORIES)
def test_story(story):
    if not _cache:
        _cache.update(_suites())
    suite = _cache[story]
    result = unittest.TestResult()
    suite.run(result)
    problems = result.failures + result.errors
    message = '\n\n'.join('%s\n%s' % (test.id(), text)
                          for test, text in problems)
    assert not problems, message
    assert result.testsRun > 0
