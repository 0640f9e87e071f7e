"""cyborg-status upgrade check: is this deployment ready for this release?

Exit codes (oslo.upgradecheck): 0 success, 1 warning, 2 failure, 255
unexpected error. ``--json`` prints the machine-readable form.
"""
import sys

from oslo_db import exception as db_exc
from oslo_upgradecheck import common_checks
from oslo_upgradecheck import upgradecheck
import sqlalchemy as sa

from cyborg.conf import CONF
from cyborg.db import migration
from cyborg.db import models
from cyborg.db import session


class Checks(upgradecheck.UpgradeCommands):

    def _check_schema(self):
        try:
            current = migration.version()
        except Exception as e:  # an unreachable database is a failure
            return upgradecheck.Result(
                upgradecheck.Code.FAILURE,
                'Cannot read the schema version: %s' % type(e).__name__)
        head = migration.head()
        if current != head:
            return upgradecheck.Result(
                upgradecheck.Code.FAILURE,
                'Database schema is at %s, this release needs %s: run '
                '"cyborg-dbsync upgrade".' % (current, head))
        return upgradecheck.Result(upgradecheck.Code.SUCCESS)

    def _check_device_state(self):
        try:
            engine = session.get_engine()
            with engine.connect() as conn:
                missing = conn.execute(
                    sa.select(sa.func.count())
                    .select_from(models.Device.__table__)
                    .where(models.Device.device_state.is_(None))).scalar()
        except (sa.exc.SQLAlchemyError, db_exc.DBError) as e:
            return upgradecheck.Result(
                upgradecheck.Code.FAILURE,
                'Cannot query devices.device_state (%s): run '
                '"cyborg-dbsync upgrade".' % type(e).__name__)
        if missing:
            return upgradecheck.Result(
                upgradecheck.Code.FAILURE,
                '%d device(s) have no device_state: run "cyborg-dbsync '
                'online_data_migrations".' % missing)
        return upgradecheck.Result(upgradecheck.Code.SUCCESS)

    _upgrade_checks = (
        ('Database schema at head', _check_schema),
        ('Device state backfill', _check_device_state),
        ('Policy File JSON to YAML Migration',
         (common_checks.check_policy_json, {'conf': CONF})),
    )


def main(argv=None):
    return upgradecheck.main(CONF, project='cyborg',
                             upgrade_command=Checks(),
                             argv=argv if argv is not None else sys.argv[1:])


if __name__ == '__main__':
    sys.exit(main())
