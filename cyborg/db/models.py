"""SQLAlchemy models: the schema of internals.md §10 plus our additions.

The upstream 17.0.0 schema (alembic revision ``b47c8f2d1e3a``) is kept
column for column so that an operator's database can be adopted. Our own
additions (decisions D3, revision ``c3a1d5e7f902``) are marked ``[ours]``.

Relationships are read-only conveniences (``viewonly=True``): rows are
linked by setting the foreign-key columns, never through a relationship.
Every foreign key is ``ON DELETE RESTRICT`` (or CASCADE for the unused
deployable tree), so deleting a parent that still has children fails in the
database; delete children first.
"""
import datetime

from oslo_db.sqlalchemy import models as oslo_models
import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from cyborg.conf import CONF

DEVICE_TYPES = ('GPU', 'FPGA', 'AICHIP', 'QAT', 'NIC', 'SSD',
                'MDEV', 'PCI', 'NVME')
DEVICE_STATUSES = ('enabled', 'maintaining')
DEVICE_STATES = ('available', 'allocated', 'pending_cleaning', 'cleaning',
                 'error')
CPID_TYPES = ('PCI',)
ATTACH_TYPES = ('PCI', 'MDEV', 'TEST_PCI')
# Upstream's enum order; [ours] UnbindFailed is appended (cheap on MySQL).
ARQ_STATES = ('Initial', 'BindStarted', 'Bound', 'Unbound', 'BindFailed',
              'Deleting', 'UnbindFailed')
ARQ_SUBSTATES = ('Initial',)


def table_args():
    """MySQL table options of every table (InnoDB, utf8)."""
    engine = CONF.database.mysql_engine or 'InnoDB'
    return {'mysql_engine': engine, 'mysql_charset': 'utf8'}


def _fk(target, ondelete='RESTRICT'):
    return sa.ForeignKey(target, ondelete=ondelete)


class Base(oslo_models.TimestampMixin, oslo_models.ModelBase,
           orm.DeclarativeBase):
    """Every model has ``id``, ``created_at`` and ``updated_at``.

    The timestamps are set by the ORM (naive UTC), not by the database.
    """

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True,
                                    autoincrement=True)

    def as_dict(self):
        return {c.name: getattr(self, c.key)
                for c in self.__table__.columns}

    def __repr__(self):
        ident = getattr(self, 'uuid', None) or self.id
        return f'<{type(self).__name__} {ident}>'


class Device(Base):
    """One physical card as reported by a driver."""

    __tablename__ = 'devices'
    __table_args__ = (
        # [ours] every agent report filters on hostname.
        sa.Index('devices_hostname_idx', 'hostname'),
        # [ours] 2.4 lists sort by created_at, ties by id.
        sa.Index('devices_created_at_id_idx', 'created_at', 'id'),
        table_args(),
    )

    uuid: Mapped[str] = mapped_column(sa.String(36), nullable=False,
                                      unique=True)
    type: Mapped[str] = mapped_column(
        sa.Enum(*DEVICE_TYPES, name='device_type'), nullable=False)
    vendor: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    model: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    std_board_info: Mapped[str | None] = mapped_column(sa.Text)
    vendor_board_info: Mapped[str | None] = mapped_column(sa.Text)
    hostname: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    status: Mapped[str] = mapped_column(
        sa.Enum(*DEVICE_STATUSES, name='device_status'), nullable=False,
        default='enabled')
    device_state: Mapped[str | None] = mapped_column(
        sa.Enum(*DEVICE_STATES, name='device_state'))

    controlpath_ids = orm.relationship('ControlpathID', viewonly=True,
                                       back_populates='device')
    deployables = orm.relationship('Deployable', viewonly=True,
                                   back_populates='device')


class ControlpathID(Base):
    """How the host manages a device (the PCI function of its card)."""

    __tablename__ = 'controlpath_ids'
    __table_args__ = (
        sa.Index('ix_controlpath_ids_device_id', 'device_id'),
        table_args(),
    )

    uuid: Mapped[str] = mapped_column(sa.String(36), nullable=False,
                                      unique=True)
    device_id: Mapped[int] = mapped_column(sa.Integer, _fk('devices.id'),
                                           nullable=False)
    cpid_type: Mapped[str] = mapped_column(
        sa.Enum(*CPID_TYPES, name='cpid_type'), nullable=False)
    cpid_info: Mapped[str] = mapped_column(sa.String(255), nullable=False)

    device = orm.relationship('Device', viewonly=True,
                              back_populates='controlpath_ids')


class Deployable(Base):
    """The unit that becomes one Placement resource provider."""

    __tablename__ = 'deployables'
    __table_args__ = (
        sa.Index('deployables_parent_id_idx', 'parent_id'),
        sa.Index('deployables_root_id_idx', 'root_id'),
        sa.Index('deployables_device_id_idx', 'device_id'),
        # [ours] bind looks deployables up by provider uuid.
        sa.Index('deployables_rp_uuid_idx', 'rp_uuid'),
        sa.Index('deployables_created_at_id_idx', 'created_at', 'id'),
        table_args(),
    )

    uuid: Mapped[str] = mapped_column(sa.String(36), nullable=False,
                                      unique=True)
    parent_id: Mapped[int | None] = mapped_column(
        sa.Integer, _fk('deployables.id', ondelete='CASCADE'))
    root_id: Mapped[int | None] = mapped_column(
        sa.Integer, _fk('deployables.id', ondelete='CASCADE'))
    name: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    num_accelerators: Mapped[int] = mapped_column(sa.Integer,
                                                  nullable=False)
    device_id: Mapped[int] = mapped_column(sa.Integer, _fk('devices.id'),
                                           nullable=False)
    rp_uuid: Mapped[str | None] = mapped_column(sa.String(36))
    driver_name: Mapped[str | None] = mapped_column(sa.String(100))
    bitstream_id: Mapped[str | None] = mapped_column(sa.String(36))
    # [ours] the driver no longer reports it but a handle is still in use:
    # kept (and kept in Placement) until released (D3.6).
    pending_removal: Mapped[bool] = mapped_column(
        sa.Boolean, nullable=False, default=False,
        server_default=sa.false())

    device = orm.relationship('Device', viewonly=True,
                              back_populates='deployables')
    attributes = orm.relationship('Attribute', viewonly=True,
                                  back_populates='deployable')
    attach_handles = orm.relationship('AttachHandle', viewonly=True,
                                      back_populates='deployable')


class Attribute(Base):
    """A key/value pair of a deployable (``rc``, ``trait<N>``)."""

    __tablename__ = 'attributes'
    __table_args__ = (
        sa.Index('ix_attributes_deployable_id', 'deployable_id'),
        # [ours] 2.4 lists sort by created_at, ties by id.
        sa.Index('attributes_created_at_id_idx', 'created_at', 'id'),
        table_args(),
    )

    uuid: Mapped[str] = mapped_column(sa.String(36), nullable=False,
                                      unique=True)
    deployable_id: Mapped[int] = mapped_column(
        sa.Integer, _fk('deployables.id'), nullable=False)
    key: Mapped[str] = mapped_column(sa.Text, nullable=False)
    value: Mapped[str] = mapped_column(sa.Text, nullable=False)

    deployable = orm.relationship('Deployable', viewonly=True,
                                  back_populates='attributes')


class AttachHandle(Base):
    """One assignable thing: a PCI function or one mediated-device slot."""

    __tablename__ = 'attach_handles'
    __table_args__ = (
        sa.Index('attach_handles_deployable_id_idx', 'deployable_id'),
        sa.Index('attach_handles_cpid_id_idx', 'cpid_id'),
        # [ours] allocation picks a free handle of a deployable.
        sa.Index('attach_handles_deployable_id_in_use_idx',
                 'deployable_id', 'in_use'),
        table_args(),
    )

    uuid: Mapped[str] = mapped_column(sa.String(36), nullable=False,
                                      unique=True)
    deployable_id: Mapped[int] = mapped_column(
        sa.Integer, _fk('deployables.id'), nullable=False)
    cpid_id: Mapped[int] = mapped_column(
        sa.Integer, _fk('controlpath_ids.id'), nullable=False)
    in_use: Mapped[bool | None] = mapped_column(sa.Boolean, default=False)
    attach_type: Mapped[str] = mapped_column(
        sa.Enum(*ATTACH_TYPES, name='attach_type'), nullable=False)
    attach_info: Mapped[str] = mapped_column(sa.String(255), nullable=False)

    deployable = orm.relationship('Deployable', viewonly=True,
                                  back_populates='attach_handles')
    controlpath = orm.relationship('ControlpathID', viewonly=True)


class DeviceProfile(Base):
    """A named list of request groups (``profile_json``)."""

    __tablename__ = 'device_profiles'
    __table_args__ = (
        sa.UniqueConstraint('uuid', name='uniq_device_profiles0uuid'),
        sa.UniqueConstraint('name', name='uniq_device_profiles0name'),
        # [ours] 2.4 lists sort by created_at, ties by id.
        sa.Index('device_profiles_created_at_id_idx', 'created_at', 'id'),
        table_args(),
    )

    uuid: Mapped[str] = mapped_column(sa.String(36), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    profile_json: Mapped[str] = mapped_column(sa.Text, nullable=False)
    description: Mapped[str | None] = mapped_column(sa.Text)


class ExtArq(Base):
    """One accelerator request plus the service's private fields."""

    __tablename__ = 'extended_accelerator_requests'
    __table_args__ = (
        sa.Index('extArqs_project_id_idx', 'project_id'),
        sa.Index('extArqs_device_profile_id_idx', 'device_profile_id'),
        sa.Index('extArqs_device_rp_uuid_idx', 'device_rp_uuid'),
        sa.Index('extArqs_instance_uuid_idx', 'instance_uuid'),
        sa.Index('extArqs_attach_handle_id_idx', 'attach_handle_id'),
        sa.Index('extArqs_deployable_id_idx', 'deployable_id'),
        # [ours] 2.4 lists sort by created_at, ties by id.
        sa.Index('extArqs_created_at_id_idx', 'created_at', 'id'),
        table_args(),
    )

    uuid: Mapped[str] = mapped_column(sa.String(36), nullable=False,
                                      unique=True)
    project_id: Mapped[str | None] = mapped_column(sa.String(255))
    state: Mapped[str] = mapped_column(sa.Enum(*ARQ_STATES, name='state'),
                                       nullable=False, default='Initial')
    device_profile_id: Mapped[int] = mapped_column(
        sa.Integer, _fk('device_profiles.id'), nullable=False)
    device_profile_group_id: Mapped[int] = mapped_column(
        sa.Integer, nullable=False, default=0)
    hostname: Mapped[str | None] = mapped_column(sa.String(255))
    device_rp_uuid: Mapped[str | None] = mapped_column(sa.String(36))
    instance_uuid: Mapped[str | None] = mapped_column(sa.String(36))
    attach_handle_id: Mapped[int | None] = mapped_column(
        sa.Integer, _fk('attach_handles.id'))
    substate: Mapped[str] = mapped_column(
        sa.Enum(*ARQ_SUBSTATES, name='substate'), nullable=False,
        default='Initial')
    deployable_id: Mapped[int | None] = mapped_column(
        sa.Integer, _fk('deployables.id'))
    # [ours] why the last bind (or unbind) failed.
    state_reason: Mapped[str | None] = mapped_column(sa.Text)

    device_profile = orm.relationship('DeviceProfile', viewonly=True)
    attach_handle = orm.relationship('AttachHandle', viewonly=True)
    deployable = orm.relationship('Deployable', viewonly=True)


class QuotaUsage(Base):
    """Per-project (and user) usage of one quota resource."""

    __tablename__ = 'quota_usages'
    __table_args__ = (
        sa.Index('ix_quota_usages_project_id', 'project_id'),
        sa.Index('ix_quota_usages_user_id', 'user_id'),
        table_args(),
    )

    project_id: Mapped[str | None] = mapped_column(sa.String(255))
    user_id: Mapped[str | None] = mapped_column(sa.String(255))
    resource: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    in_use: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    reserved: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    until_refresh: Mapped[int | None] = mapped_column(sa.Integer)


class Reservation(Base):
    """A pending quota change against a usage row."""

    __tablename__ = 'reservations'
    __table_args__ = (
        sa.Index('reservations_uuid_idx', 'uuid'),
        sa.Index('ix_reservations_project_id', 'project_id'),
        sa.Index('ix_reservations_user_id', 'user_id'),
        table_args(),
    )

    uuid: Mapped[str] = mapped_column(sa.String(36), nullable=False)
    usage_id: Mapped[int] = mapped_column(
        sa.Integer, sa.ForeignKey('quota_usages.id'), nullable=False)
    project_id: Mapped[str | None] = mapped_column(sa.String(255))
    user_id: Mapped[str | None] = mapped_column(sa.String(255))
    resource: Mapped[str | None] = mapped_column(sa.String(255))
    delta: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    expire: Mapped[datetime.datetime | None] = mapped_column(sa.DateTime)

    usage = orm.relationship('QuotaUsage', viewonly=True)


class Agent(Base):
    """[ours] One running agent (D3.1).

    ``host`` is the agent's RPC server name ([DEFAULT] host);
    ``compute_node_name`` is the Placement compute-node provider name it
    serves, i.e. the ``hostname`` of its devices. The conductor finds the
    agent that owns a device through this table.
    """

    __tablename__ = 'agents'
    __table_args__ = (
        sa.UniqueConstraint('host', name='uniq_agents0host'),
        sa.Index('agents_compute_node_name_idx', 'compute_node_name'),
        table_args(),
    )

    host: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    compute_node_name: Mapped[str] = mapped_column(sa.String(255),
                                                   nullable=False)
    compute_node_rp_uuid: Mapped[str | None] = mapped_column(sa.String(36))


class Conductor(Base):
    """[ours] One member of the conductor cluster (decisions D5.2).

    ``hostname`` is the conductor's ``[DEFAULT] host`` (its RPC server
    name), unique among live conductors. ``instance`` identifies the
    process holding the name now (a new uuid at every start);
    ``heartbeat_at`` (naive UTC) is refreshed every
    ``[conductor] heartbeat_interval``. A row whose heartbeat is older
    than ``[conductor] heartbeat_timeout``, or that is not ``online``
    (stopped cleanly), is a dead member. ``machine`` and ``pid`` say
    where the process runs, for operators and for a restart on the same
    machine.
    """

    __tablename__ = 'conductors'
    __table_args__ = (
        sa.UniqueConstraint('hostname', name='uniq_conductors0hostname'),
        table_args(),
    )

    hostname: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    instance: Mapped[str] = mapped_column(sa.String(36), nullable=False)
    machine: Mapped[str | None] = mapped_column(sa.String(255))
    pid: Mapped[int | None] = mapped_column(sa.Integer)
    online: Mapped[bool] = mapped_column(sa.Boolean, nullable=False,
                                         default=True)
    heartbeat_at: Mapped[datetime.datetime] = mapped_column(
        sa.DateTime, nullable=False)


class PeriodicTask(Base):
    """[ours] When each cluster-wide periodic task runs next.

    A conductor runs task ``name`` only after moving ``next_run_at``
    forward with a conditional UPDATE (``WHERE next_run_at <= now``): of
    the conductors that wake up in one cycle, one wins. ``runs`` counts
    the runs, ``last_host`` is the conductor that ran it last.
    """

    __tablename__ = 'periodic_tasks'
    __table_args__ = (
        sa.UniqueConstraint('name', name='uniq_periodic_tasks0name'),
        table_args(),
    )

    name: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    next_run_at: Mapped[datetime.datetime] = mapped_column(
        sa.DateTime, nullable=False)
    last_host: Mapped[str | None] = mapped_column(sa.String(255))
    runs: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)


class NovaEvent(Base):
    """[ours] The outbox of Nova ``accelerator-request-bound`` events.

    A row is written in the transaction that resolves an ARQ (``Bound``
    or ``BindFailed``), so an event exists exactly when its state change
    committed; ``conductor/cluster/outbox.py`` delivers it and deletes
    it. A sender claims due rows (``next_attempt_at <= now``, no live
    claim) by writing its ``claim_id`` (new for every claim),
    ``claimed_by`` (its host) and ``claim_expires_at``; a claim that
    expires (its conductor died) makes the rows due for any other
    conductor. A failed attempt counts in ``attempts``, pushes
    ``next_attempt_at`` back (exponential backoff) and notes
    ``last_error``.
    """

    __tablename__ = 'nova_events'
    __table_args__ = (
        sa.Index('nova_events_next_attempt_at_idx', 'next_attempt_at'),
        sa.Index('nova_events_claim_id_idx', 'claim_id'),
        table_args(),
    )

    server_uuid: Mapped[str] = mapped_column(sa.String(36), nullable=False)
    arq_uuid: Mapped[str] = mapped_column(sa.String(36), nullable=False)
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False,
                                          default=0)
    next_attempt_at: Mapped[datetime.datetime] = mapped_column(
        sa.DateTime, nullable=False)
    claimed_by: Mapped[str | None] = mapped_column(sa.String(255))
    claim_id: Mapped[str | None] = mapped_column(sa.String(36))
    claim_expires_at: Mapped[datetime.datetime | None] = mapped_column(
        sa.DateTime)
    last_error: Mapped[str | None] = mapped_column(sa.String(255))
