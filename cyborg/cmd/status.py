"""cyborg-status upgrade check: is this deployment ready for this release?

Exit codes (oslo.upgradecheck): 0 success, 1 warning, 2 failure, 255
unexpected error. ``--json`` prints the machine-readable form.

Every failure names its fix. The checks read the database of
``[database] connection`` once, without the services' connection retries
(unless ``[database] max_retries`` is set): a check reports, it does not
wait for a server.
"""
import sys

from alembic.script import ScriptDirectory
from oslo_db import exception as db_exc
from oslo_upgradecheck import common_checks
from oslo_upgradecheck import upgradecheck
import sqlalchemy as sa

from cyborg.conf import CONF
from cyborg.db import migration
from cyborg.db import models
from cyborg.db import session

_UPGRADE = 'run "cyborg-dbsync upgrade"'
_BACKFILL = 'run "cyborg-dbsync online_data_migrations"'
_CONNECTION = ('check [database] connection in the configuration file and '
               'that the database server is running and reachable')
_DB_ERRORS = (sa.exc.SQLAlchemyError, db_exc.DBError, OSError)


def _failure(details):
    return upgradecheck.Result(upgradecheck.Code.FAILURE, details)


def _unreachable(exc):
    return _failure('Cannot reach the database (%s): %s.'
                    % (type(exc).__name__, _CONNECTION))


def _known_revisions():
    script = ScriptDirectory.from_config(migration.alembic_config_for())
    return {s.revision for s in script.walk_revisions()}


def _schema_problem(current, head):
    """The details of a schema that is not at ``head``."""
    if current is None:
        return ('The database has no Cyborg schema (no alembic version): '
                '%s.' % _UPGRADE)
    if current in migration.UPSTREAM_OLDER:
        return ('The database is at upstream Cyborg revision %s: upgrade '
                'it with upstream Cyborg to %s first, then %s.'
                % (current, migration.UPSTREAM_MASTER, _UPGRADE))
    if current in migration.ADOPTABLE:
        return ('The database is at upstream Cyborg revision %s: %s (it '
                'adopts the upstream schema).' % (current, _UPGRADE))
    unknown = [r for r in current.split(',') if r not in _known_revisions()]
    if unknown:
        return ('The database is at revision %s, which this release does '
                'not know (migrated by a newer release?): upgrade the '
                'Cyborg packages on this host to that release; do not run '
                'an older "cyborg-dbsync".' % current)
    return ('Database schema is at %s, this release needs %s: %s.'
            % (current, head, _UPGRADE))


class Checks(upgradecheck.UpgradeCommands):

    def _check_schema(self):
        try:
            current = migration.version()
        except _DB_ERRORS as exc:
            return _unreachable(exc)
        head = migration.head()
        if current != head:
            return _failure(_schema_problem(current, head))
        return upgradecheck.Result(upgradecheck.Code.SUCCESS,
                                   'Schema at %s.' % head)

    def _check_device_state(self):
        try:
            engine = session.get_engine()
            with engine.connect() as conn:
                columns = {c['name'] for c in
                           sa.inspect(conn).get_columns('devices')} \
                    if sa.inspect(conn).has_table('devices') else set()
                if 'device_state' not in columns:
                    return _failure('The devices table has no device_state '
                                    'column: %s.' % _UPGRADE)
                missing = conn.execute(
                    sa.select(sa.func.count())
                    .select_from(models.Device.__table__)
                    .where(models.Device.device_state.is_(None))).scalar()
        except _DB_ERRORS as exc:
            return _unreachable(exc)
        if missing:
            return _failure(
                '%d device(s) have no device_state (created before this '
                'release): %s.' % (missing, _BACKFILL))
        return upgradecheck.Result(upgradecheck.Code.SUCCESS,
                                   'Every device has a device_state.')

    _upgrade_checks = (
        ('Database schema at head', _check_schema),
        ('Device state backfill', _check_device_state),
        ('Policy File JSON to YAML Migration',
         (common_checks.check_policy_json, {'conf': CONF})),
    )


def main(argv=None):
    CONF.set_default('max_retries', 0, group='database')
    return upgradecheck.main(CONF, project='cyborg',
                             upgrade_command=Checks(),
                             argv=argv if argv is not None else sys.argv[1:])


if __name__ == '__main__':
    sys.exit(main())
