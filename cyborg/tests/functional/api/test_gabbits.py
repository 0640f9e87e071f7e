"""Run every gabbi story in ``gabbits/`` in-process (wsgi-intercept).

Each ``*.yaml`` file is one story with its own fixtures (see
``gabbi_fixtures``); any file added to the directory is picked up.
"""
import os

from gabbi import driver
from gabbi.driver import test_pytest  # noqa: F401

from cyborg.tests.functional.api import gabbi_fixtures

TESTS_DIR = os.path.join(os.path.dirname(__file__), 'gabbits')


def pytest_generate_tests(metafunc):
    driver.py_test_generator(
        TESTS_DIR, intercept=gabbi_fixtures.setup_app,
        fixture_module=gabbi_fixtures, test_loader_name=__name__,
        metafunc=metafunc)
