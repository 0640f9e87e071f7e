"""Alembic environment of cyborg's own migration history.

``cyborg.db.migration`` builds the alembic Config in code and hands over
an open connection in ``config.attributes['connection']``; without one
(e.g. the ``alembic`` command with ``cyborg/db/alembic.ini``) an engine is
made from ``sqlalchemy.url``.

SQLite: ``render_as_batch`` makes autogenerate write ``batch_alter_table``
blocks, which copy a table to change it. Foreign keys are ON in our
engines, so do not copy a table that other tables reference (dropping it
would check or cascade into them); SQLite ignores ``PRAGMA foreign_keys``
inside a transaction. Prefer plain ``add_column``/``create_index`` there.
"""
from alembic import context
import sqlalchemy as sa

from cyborg.db import models

config = context.config
target_metadata = models.Base.metadata


def _configure(connection):
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite can only change a column by copying the table.
        render_as_batch=connection.dialect.name == 'sqlite',
        transaction_per_migration=True,
        compare_type=True,
    )


def run_migrations_offline():
    context.configure(url=config.get_main_option('sqlalchemy.url'),
                      target_metadata=target_metadata,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    connection = config.attributes.get('connection')
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = sa.create_engine(config.get_main_option('sqlalchemy.url'),
                              poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
