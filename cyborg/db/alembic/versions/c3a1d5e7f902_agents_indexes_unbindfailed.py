"""Our additions after 17.0.0 (decisions D3).

* ARQ state ``UnbindFailed`` and column ``state_reason`` (why a bind or
  unbind failed);
* table ``agents``: which agent (RPC server name) serves which compute
  node, so agent RPCs go to the owner of a device;
* indexes on the hot lookup columns (devices.hostname,
  deployables.rp_uuid, attach_handles (deployable_id, in_use));
* ``deployables.pending_removal``: a device that vanished from a report
  while still in use is kept until released.

Revision ID: c3a1d5e7f902
Revises: b47c8f2d1e3a
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa

revision = 'c3a1d5e7f902'
down_revision = 'b47c8f2d1e3a'
branch_labels = None
depends_on = None

OLD_STATES = ('Initial', 'BindStarted', 'Bound', 'Unbound', 'BindFailed',
              'Deleting')
NEW_STATES = OLD_STATES + ('UnbindFailed',)
TABLE_ARGS = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8'}


def _arq_state_and_reason():
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        op.execute("ALTER TYPE state ADD VALUE IF NOT EXISTS 'UnbindFailed'")
    with op.batch_alter_table('extended_accelerator_requests') as batch:
        if dialect != 'postgresql':
            # MySQL rewrites the ENUM; SQLite copies the table (VARCHAR).
            batch.alter_column(
                'state', existing_nullable=False,
                existing_type=sa.Enum(*OLD_STATES, name='state'),
                type_=sa.Enum(*NEW_STATES, name='state'))
        batch.add_column(sa.Column('state_reason', sa.Text, nullable=True))


def upgrade():
    _arq_state_and_reason()
    op.create_table(
        'agents',
        sa.Column('created_at', sa.DateTime, nullable=True),
        sa.Column('updated_at', sa.DateTime, nullable=True),
        sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
        sa.Column('host', sa.String(255), nullable=False),
        sa.Column('compute_node_name', sa.String(255), nullable=False),
        sa.Column('compute_node_rp_uuid', sa.String(36), nullable=True),
        sa.UniqueConstraint('host', name='uniq_agents0host'),
        sa.Index('agents_compute_node_name_idx', 'compute_node_name'),
        **TABLE_ARGS)
    op.create_index('devices_hostname_idx', 'devices', ['hostname'])
    op.create_index('deployables_rp_uuid_idx', 'deployables', ['rp_uuid'])
    op.create_index('attach_handles_deployable_id_in_use_idx',
                    'attach_handles', ['deployable_id', 'in_use'])
    op.add_column('deployables',
                  sa.Column('pending_removal', sa.Boolean, nullable=False,
                            server_default=sa.false()))
