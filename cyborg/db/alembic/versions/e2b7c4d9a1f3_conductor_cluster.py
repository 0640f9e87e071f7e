"""The conductor cluster (decisions D5.2): members and periodic tasks.

* table ``conductors``: one row per conductor host name, with the
  heartbeat that tells live members from dead ones;
* table ``periodic_tasks``: when each cluster-wide periodic task runs
  next, claimed with a conditional UPDATE so that it runs once per cycle.

Revision ID: e2b7c4d9a1f3
Revises: c3a1d5e7f902
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa

revision = 'e2b7c4d9a1f3'
down_revision = 'c3a1d5e7f902'
branch_labels = None
depends_on = None

TABLE_ARGS = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8'}


def _timestamps():
    return [sa.Column('created_at', sa.DateTime, nullable=True),
            sa.Column('updated_at', sa.DateTime, nullable=True),
            sa.Column('id', sa.Integer, primary_key=True,
                      autoincrement=True)]


def upgrade():
    op.create_table(
        'conductors', *_timestamps(),
        sa.Column('hostname', sa.String(255), nullable=False),
        sa.Column('instance', sa.String(36), nullable=False),
        sa.Column('machine', sa.String(255), nullable=True),
        sa.Column('pid', sa.Integer, nullable=True),
        sa.Column('online', sa.Boolean, nullable=False),
        sa.Column('heartbeat_at', sa.DateTime, nullable=False),
        sa.UniqueConstraint('hostname', name='uniq_conductors0hostname'),
        **TABLE_ARGS)
    op.create_table(
        'periodic_tasks', *_timestamps(),
        sa.Column('name', sa.String(64), nullable=False),
        sa.Column('next_run_at', sa.DateTime, nullable=False),
        sa.Column('last_host', sa.String(255), nullable=True),
        sa.Column('runs', sa.Integer, nullable=False),
        sa.UniqueConstraint('name', name='uniq_periodic_tasks0name'),
        **TABLE_ARGS)
