"""Removing vanished deployables, after the report's transaction.

The diff (``inventory_diff``) decides in its transaction which vanished
deployables may go and marks them ``pending_removal``; :func:`finish`
then, with no transaction open, for each:

1. deletes its provider in Placement (``delete_provider``: refused while
   the provider has allocations, which defers the removal: the provider
   stays, fully reserved, and the row stays ``pending_removal``);
2. deletes its rows (handles, attributes, deployable; the device and its
   control paths once a vanished device has no deployable left) in one
   short transaction, only if the row is still ``pending_removal`` and
   nothing claimed one of its handles meanwhile.

A failure between the two steps leaves a ``pending_removal`` row without
provider: reconciliation never re-creates the provider of such a row, and
the next report (which again does not list the deployable) finishes the
removal. A Placement error is logged and returned; the next report
retries.
"""
import logging

import sqlalchemy as sa

from cyborg.common import exception
from cyborg.conductor.inventory import placement as rp_sync
from cyborg.db import models
from cyborg.db import session
from cyborg.db.queries import inventory as inventory_db

LOG = logging.getLogger(__name__)


def finish(context, client, outcome):
    """Carry out ``outcome.to_remove``; updates ``outcome.removed`` /
    ``deferred`` / ``wanted``; returns the names whose Placement call
    failed."""
    failed = []
    for removal in outcome.to_remove:
        try:
            if client.delete_provider(removal.rp_uuid):
                LOG.info('Deleted device provider %s', removal.rp_uuid)
        except rp_sync.ProviderInUse:
            LOG.warning('Deployable %s disappeared but its provider has '
                        'allocations in Placement: kept pending removal',
                        removal.name)
            outcome.deferred.append(removal.name)
            outcome.wanted.append(rp_sync.wanted_for(
                removal.deployable_id, removal.name, removal.total,
                removal.pairs, disabled=removal.disabled, pending=True))
            continue
        except exception.CyborgException as exc:
            LOG.error('Could not delete the provider of vanished '
                      'deployable %s: %s', removal.name, exc)
            failed.append(removal.name)
            continue
        if delete_rows(context, removal, outcome.gone_devices):
            outcome.removed.append(removal.name)
            LOG.info('Removed deployable %s', removal.name)
    return failed


@session.retry_on_busy
@session.writer
def delete_rows(context, removal, gone_devices):
    """Delete the rows of a removed deployable; False when it is no
    longer ours to delete (reported again, or a handle was claimed)."""
    sess = context.session
    dep, ah = models.Deployable, models.AttachHandle
    row = sess.get(dep, removal.deployable_id, with_for_update=True)
    if row is None or not row.pending_removal:
        return False
    busy = sess.scalars(sa.select(ah.id).where(
        ah.deployable_id == row.id, ah.in_use == sa.true())).first()
    if busy is not None or inventory_db.bound_deployable_ids(sess, [row.id]):
        LOG.warning('Deployable %s was claimed while being removed: kept '
                    'pending removal', row.name)
        return False
    _delete(sess, ah, ah.deployable_id, [row.id])
    _delete(sess, models.Attribute, models.Attribute.deployable_id,
            [row.id])
    _delete(sess, dep, dep.id, [row.id])
    if removal.device_id in gone_devices:
        left = sess.scalars(sa.select(dep.id).where(
            dep.device_id == removal.device_id)).first()
        if left is None:
            cp = models.ControlpathID
            _delete(sess, cp, cp.device_id, [removal.device_id])
            _delete(sess, models.Device, models.Device.id,
                    [removal.device_id])
            LOG.info('Removed device %s', removal.device_id)
    return True


def _delete(sess, model, column, ids):
    sess.execute(sa.delete(model).where(column.in_(list(ids))),
                 execution_options={'synchronize_session': False})
