"""Fixtures of the cluster tests: the inventory tests' real database,
real Placement and compute node (``inventory/conftest.py``)."""
import pytest

from cyborg.tests.fixtures import servers
from cyborg.tests.fixtures.database import database  # noqa: F401
from cyborg.tests.fixtures.placement import placement  # noqa: F401
from cyborg.tests.functional.inventory.conftest import cn  # noqa: F401
from cyborg.tests.functional.inventory.conftest import ctx  # noqa: F401


@pytest.fixture
def _rabbitmq():
    """RabbitMQ for the tests marked ``harness.needs_rabbit``."""
    servers.require('rabbitmq')
