"""Indexes for the sorted, paged lists of microversion 2.4.

Every list may be sorted by ``created_at`` (ties broken by ``id``) and
paged with a marker; an index on ``(created_at, id)`` of each listed table
lets the database walk a page in order and stop at the limit instead of
sorting the whole table for every page.

Revision ID: f5a9c2e4b6d8
Revises: a9d3f61c5e28
Create Date: 2026-12-05
"""
from alembic import op

revision = 'f5a9c2e4b6d8'
down_revision = 'a9d3f61c5e28'
branch_labels = None
depends_on = None

# index name -> table
INDEXES = {
    'extArqs_created_at_id_idx': 'extended_accelerator_requests',
    'device_profiles_created_at_id_idx': 'device_profiles',
    'devices_created_at_id_idx': 'devices',
    'deployables_created_at_id_idx': 'deployables',
    'attributes_created_at_id_idx': 'attributes',
}


def upgrade():
    for name, table in INDEXES.items():
        op.create_index(name, table, ['created_at', 'id'])
