"""Baseline: the upstream Cyborg 17.0.0 schema.

The revision id is upstream's 17.0.0 head, so an upstream 17.0.0 database
(alembic_version = b47c8f2d1e3a) simply continues with our later
revisions. Databases at upstream master (6c77bd6afea5) are adopted by
``cyborg.db.migration.upgrade`` before this history runs.

Revision ID: b47c8f2d1e3a
Revises:
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa

revision = 'b47c8f2d1e3a'
down_revision = None
branch_labels = None
depends_on = None

DEVICE_TYPES = ('GPU', 'FPGA', 'AICHIP', 'QAT', 'NIC', 'SSD',
                'MDEV', 'PCI', 'NVME')
DEVICE_STATES = ('available', 'allocated', 'pending_cleaning', 'cleaning',
                 'error')
ARQ_STATES = ('Initial', 'BindStarted', 'Bound', 'Unbound', 'BindFailed',
              'Deleting')
TABLE_ARGS = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8'}


def _common():
    return [
        sa.Column('created_at', sa.DateTime, nullable=True),
        sa.Column('updated_at', sa.DateTime, nullable=True),
        sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
    ]


def _uuid(unique=True):
    return sa.Column('uuid', sa.String(36), nullable=False, unique=unique)


def _fk(name, target, nullable=False, ondelete='RESTRICT'):
    return sa.Column(name, sa.Integer,
                     sa.ForeignKey(target, ondelete=ondelete),
                     nullable=nullable)


def _inventory_tables():
    op.create_table(
        'devices', *_common(), _uuid(),
        sa.Column('type', sa.Enum(*DEVICE_TYPES, name='device_type'),
                  nullable=False),
        sa.Column('vendor', sa.String(255), nullable=False),
        sa.Column('model', sa.String(255), nullable=False),
        sa.Column('std_board_info', sa.Text, nullable=True),
        sa.Column('vendor_board_info', sa.Text, nullable=True),
        sa.Column('hostname', sa.String(255), nullable=False),
        sa.Column('status', sa.Enum('enabled', 'maintaining',
                                    name='device_status'), nullable=False),
        sa.Column('device_state', sa.Enum(*DEVICE_STATES,
                                          name='device_state'),
                  nullable=True),
        **TABLE_ARGS)
    op.create_table(
        'controlpath_ids', *_common(), _uuid(),
        _fk('device_id', 'devices.id'),
        sa.Column('cpid_type', sa.Enum('PCI', name='cpid_type'),
                  nullable=False),
        sa.Column('cpid_info', sa.String(255), nullable=False),
        sa.Index('ix_controlpath_ids_device_id', 'device_id'),
        **TABLE_ARGS)
    op.create_table(
        'deployables', *_common(), _uuid(),
        _fk('parent_id', 'deployables.id', True, 'CASCADE'),
        _fk('root_id', 'deployables.id', True, 'CASCADE'),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('num_accelerators', sa.Integer, nullable=False),
        _fk('device_id', 'devices.id'),
        sa.Column('rp_uuid', sa.String(36), nullable=True),
        sa.Column('driver_name', sa.String(100), nullable=True),
        sa.Column('bitstream_id', sa.String(36), nullable=True),
        sa.Index('deployables_parent_id_idx', 'parent_id'),
        sa.Index('deployables_root_id_idx', 'root_id'),
        sa.Index('deployables_device_id_idx', 'device_id'),
        **TABLE_ARGS)
    op.create_table(
        'attributes', *_common(), _uuid(),
        _fk('deployable_id', 'deployables.id'),
        sa.Column('key', sa.Text, nullable=False),
        sa.Column('value', sa.Text, nullable=False),
        sa.Index('ix_attributes_deployable_id', 'deployable_id'),
        **TABLE_ARGS)
    op.create_table(
        'attach_handles', *_common(), _uuid(),
        _fk('deployable_id', 'deployables.id'),
        _fk('cpid_id', 'controlpath_ids.id'),
        sa.Column('in_use', sa.Boolean, nullable=True),
        sa.Column('attach_type', sa.Enum('PCI', 'MDEV', 'TEST_PCI',
                                         name='attach_type'),
                  nullable=False),
        sa.Column('attach_info', sa.String(255), nullable=False),
        sa.Index('attach_handles_deployable_id_idx', 'deployable_id'),
        sa.Index('attach_handles_cpid_id_idx', 'cpid_id'),
        **TABLE_ARGS)


def _request_tables():
    op.create_table(
        'device_profiles', *_common(), _uuid(unique=False),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('profile_json', sa.Text, nullable=False),
        sa.Column('description', sa.Text, nullable=True),
        sa.UniqueConstraint('uuid', name='uniq_device_profiles0uuid'),
        sa.UniqueConstraint('name', name='uniq_device_profiles0name'),
        **TABLE_ARGS)
    op.create_table(
        'extended_accelerator_requests', *_common(), _uuid(),
        sa.Column('project_id', sa.String(255), nullable=True),
        sa.Column('state', sa.Enum(*ARQ_STATES, name='state'),
                  nullable=False),
        _fk('device_profile_id', 'device_profiles.id'),
        sa.Column('device_profile_group_id', sa.Integer, nullable=False),
        sa.Column('hostname', sa.String(255), nullable=True),
        sa.Column('device_rp_uuid', sa.String(36), nullable=True),
        sa.Column('instance_uuid', sa.String(36), nullable=True),
        _fk('attach_handle_id', 'attach_handles.id', nullable=True),
        sa.Column('substate', sa.Enum('Initial', name='substate'),
                  nullable=False),
        _fk('deployable_id', 'deployables.id', nullable=True),
        sa.Index('extArqs_project_id_idx', 'project_id'),
        sa.Index('extArqs_device_profile_id_idx', 'device_profile_id'),
        sa.Index('extArqs_device_rp_uuid_idx', 'device_rp_uuid'),
        sa.Index('extArqs_instance_uuid_idx', 'instance_uuid'),
        sa.Index('extArqs_attach_handle_id_idx', 'attach_handle_id'),
        sa.Index('extArqs_deployable_id_idx', 'deployable_id'),
        **TABLE_ARGS)


def _quota_tables():
    op.create_table(
        'quota_usages', *_common(),
        sa.Column('project_id', sa.String(255), nullable=True),
        sa.Column('user_id', sa.String(255), nullable=True),
        sa.Column('resource', sa.String(255), nullable=False),
        sa.Column('in_use', sa.Integer, nullable=False),
        sa.Column('reserved', sa.Integer, nullable=False),
        sa.Column('until_refresh', sa.Integer, nullable=True),
        sa.Index('ix_quota_usages_project_id', 'project_id'),
        sa.Index('ix_quota_usages_user_id', 'user_id'),
        **TABLE_ARGS)
    op.create_table(
        'reservations', *_common(), _uuid(unique=False),
        sa.Column('usage_id', sa.Integer, sa.ForeignKey('quota_usages.id'),
                  nullable=False),
        sa.Column('project_id', sa.String(255), nullable=True),
        sa.Column('user_id', sa.String(255), nullable=True),
        sa.Column('resource', sa.String(255), nullable=True),
        sa.Column('delta', sa.Integer, nullable=False),
        sa.Column('expire', sa.DateTime, nullable=True),
        sa.Index('reservations_uuid_idx', 'uuid'),
        sa.Index('ix_reservations_project_id', 'project_id'),
        sa.Index('ix_reservations_user_id', 'user_id'),
        **TABLE_ARGS)


def upgrade():
    _inventory_tables()
    _request_tables()
    _quota_tables()
