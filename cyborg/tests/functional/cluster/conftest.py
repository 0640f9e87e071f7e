"""Fixtures of the cluster tests: the inventory tests' real database,
real Placement and compute node (``inventory/conftest.py``)."""
from cyborg.tests.fixtures.database import database  # noqa: F401
from cyborg.tests.fixtures.placement import placement  # noqa: F401
from cyborg.tests.functional.inventory.conftest import cn  # noqa: F401
from cyborg.tests.functional.inventory.conftest import ctx  # noqa: F401
