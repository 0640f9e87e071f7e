"""The outbox of Nova external events: table ``nova_events``.

One row per ``accelerator-request-bound`` event still to deliver,
written in the transaction that resolves the ARQ and deleted once Nova
has it (``conductor/cluster/outbox.py``). Indexes: the due rows
(``next_attempt_at``) and the rows of one claim (``claim_id``).

Revision ID: a9d3f61c5e28
Revises: e2b7c4d9a1f3
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa

revision = 'a9d3f61c5e28'
down_revision = 'e2b7c4d9a1f3'
branch_labels = None
depends_on = None

TABLE_ARGS = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8'}


def upgrade():
    op.create_table(
        'nova_events',
        sa.Column('created_at', sa.DateTime, nullable=True),
        sa.Column('updated_at', sa.DateTime, nullable=True),
        sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
        sa.Column('server_uuid', sa.String(36), nullable=False),
        sa.Column('arq_uuid', sa.String(36), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('attempts', sa.Integer, nullable=False),
        sa.Column('next_attempt_at', sa.DateTime, nullable=False),
        sa.Column('claimed_by', sa.String(255), nullable=True),
        sa.Column('claim_id', sa.String(36), nullable=True),
        sa.Column('claim_expires_at', sa.DateTime, nullable=True),
        sa.Column('last_error', sa.String(255), nullable=True),
        **TABLE_ARGS)
    op.create_index('nova_events_next_attempt_at_idx', 'nova_events',
                    ['next_attempt_at'])
    op.create_index('nova_events_claim_id_idx', 'nova_events', ['claim_id'])
