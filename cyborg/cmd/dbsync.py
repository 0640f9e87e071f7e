"""cyborg-dbsync: create, migrate and inspect the database schema.

Sub-commands (internals.md §11.2)::

    cyborg-dbsync [--config-file F] upgrade [--revision REV]
    cyborg-dbsync version
    cyborg-dbsync stamp [--revision REV]
    cyborg-dbsync create_schema
    cyborg-dbsync revision [-m MESSAGE] [--autogenerate]
    cyborg-dbsync online_data_migrations

``online_data_migrations`` gives ARQs that have an instance but no project
the instance's project, asked from Nova with ``[nova]``
(``cyborg.conductor.cluster.backfill``; ``Migrated N ARQ(s)``, instances
Nova does
not know are skipped), then marks devices without a state ``available``.

Exit status: 0 success, 1 the command failed, 2 an online data migration
step failed (for the ARQs: a Nova lookup failed, or ``[nova]`` is not
configured while some ARQs need it).
"""
import logging
import sys

from oslo_config import cfg
import sqlalchemy as sa

from cyborg import context
from cyborg.conductor.cluster import backfill
from cyborg.conf import CONF
from cyborg.db import migration

LOG = logging.getLogger(__name__)


def do_upgrade(conf, engine):
    migration.upgrade(conf.command.revision, engine=engine)


def do_version(conf, engine):
    print(migration.version(engine=engine))


def do_stamp(conf, engine):
    migration.stamp(conf.command.revision, engine=engine)


def do_create_schema(conf, engine):
    migration.create_schema(engine=engine)


def do_revision(conf, engine):
    migration.revision(message=conf.command.message,
                       autogenerate=conf.command.autogenerate,
                       engine=engine)


def _backfill_arq_project_ids(conf, engine):
    """ARQs bound before project_id existed get it from Nova (the owner
    of their instance). Instances Nova does not know are skipped; a
    lookup that fails makes the step fail (exit 2)."""
    result = backfill.backfill_project_ids(
        context.get_admin_context(), lookup=backfill.nova_lookup(conf),
        engine=engine)
    print(f'Migrated {result.migrated} ARQ(s)')
    if result.skipped:
        print(f'Skipped {result.skipped} ARQ(s) whose instance Nova does '
              f'not know')
    if result.failed:
        raise RuntimeError(
            f'could not ask Nova for the project of {result.failed} '
            f'ARQ(s); see the errors above')


def _backfill_device_state(conf, engine):
    """Devices of a pre-17.0.0 database have no state: they are free."""
    with engine.begin() as conn:
        found = conn.execute(sa.text(
            'SELECT COUNT(*) FROM devices WHERE device_state IS NULL')
        ).scalar()
        done = conn.execute(sa.text(
            "UPDATE devices SET device_state = 'available' "
            "WHERE device_state IS NULL")).rowcount
    print(f'Backfilled device_state on {done}/{found} devices')


ONLINE_MIGRATIONS = (_backfill_arq_project_ids, _backfill_device_state)


def do_online_data_migrations(conf, engine):
    failed = False
    for step in ONLINE_MIGRATIONS:
        try:
            step(conf, engine)
        except Exception as exc:  # report it, run the next step
            LOG.error('Online data migration %s failed: %s',
                      step.__name__, exc)
            failed = True
    return 2 if failed else 0


def add_command_parsers(subparsers):
    parser = subparsers.add_parser(
        'upgrade', help='Apply the migrations up to a revision.')
    parser.add_argument('--revision', default='head',
                        help='Target revision (default: head).')
    parser.set_defaults(func=do_upgrade)

    parser = subparsers.add_parser(
        'stamp', help='Record a revision without running migrations.')
    parser.add_argument('--revision', default='head',
                        help='Revision to record (default: head).')
    parser.set_defaults(func=do_stamp)

    parser = subparsers.add_parser(
        'version', help='Print the current revision (None if unmanaged).')
    parser.set_defaults(func=do_version)

    parser = subparsers.add_parser(
        'create_schema',
        help='Create the tables from the models and stamp head; only for '
             'a database that is not versioned yet.')
    parser.set_defaults(func=do_create_schema)

    parser = subparsers.add_parser(
        'revision', help='Create a migration script (developer tool).')
    parser.add_argument('-m', '--message', help='Short description.')
    parser.add_argument('--autogenerate', action='store_true',
                        help='Fill the script from the model differences.')
    parser.set_defaults(func=do_revision)

    parser = subparsers.add_parser(
        'online_data_migrations',
        help='Back-fill data the schema migrations leave empty.')
    parser.set_defaults(func=do_online_data_migrations)


command_opt = cfg.SubCommandOpt('command', title='Command',
                                help='Available commands',
                                handler=add_command_parsers)


def main(argv=None, conf=CONF):
    """Entry point; ``argv`` excludes the program name.

    ``conf`` is the ConfigOpts to parse into (tests pass their own).
    """
    if argv is None:
        argv = sys.argv[1:]
    conf.register_cli_opt(command_opt)
    conf(argv, project='cyborg', prog='cyborg-dbsync')
    logging.basicConfig(level=logging.INFO, format='%(message)s')
    try:
        with migration.engine_scope(conf=conf) as engine:
            return conf.command.func(conf, engine) or 0
    except migration.MigrationError as exc:
        print(f'ERROR: {exc}', file=sys.stderr)
        return 1


if __name__ == '__main__':
    sys.exit(main())
