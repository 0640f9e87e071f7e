"""Upstream's ``cyborg-dbsync create_schema``, for PostgreSQL.

Run with the Python of the upstream 17.0.0 environment::

    python upstream_create_schema.py CONFIG_FILE

Upstream 17.0.0 cannot build a PostgreSQL schema by itself:

* its migrations stop at ``6c77bd6afea5`` (``devices.status`` is an
  unnamed ``Enum`` and SQLAlchemy refuses unnamed PostgreSQL enums), and
  the earlier ones widen enums with ``alter_column(existing_type=...)``,
  which changes nothing on PostgreSQL (``device_type`` would keep only
  GPU/FPGA, the ARQ ``state`` only Initial/Bound/BindFailed);
* ``create_schema`` (tables from upstream's models) stops at the unnamed
  ``extended_accelerator_requests.state`` Enum.

The closest faithful schema is upstream's models with that one name filled
in as upstream's own migration ede4e3f1a232 names the type (``state``):
that is all this wrapper changes before running upstream's command.
"""
import sys

from cyborg.cmd import dbsync
from cyborg.db.sqlalchemy import models


def main(config_file):
    state = models.ExtArq.__table__.c.state.type
    if state.name is None:
        state.name = 'state'
    sys.argv = ['cyborg-dbsync', '--config-file', config_file,
                'create_schema']
    return dbsync.main()


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
