"""Agent reports -> database -> Placement (internals.md §4.3-§4.4, D3.6).

The report payload
------------------
``report_data(context, hostname, driver_device_list)`` accepts two shapes
for ``driver_device_list`` (plain JSON; no versioned objects):

1. a **list** of driver devices (``DriverDevice.to_dict()`` dicts, or
   upstream's ``cyborg_object.*`` primitives, which are unwrapped): the
   upstream meaning, a full snapshot of the host;
2. a **per-driver report** (what our agent sends, :data:`REPORT_FORMAT`)::

       {"format": "cyborg-report/1",
        "agent": {"host": <RPC server name>,
                  "compute_node_name": <provider name>,
                  "compute_node_rp_uuid": <provider uuid>},
        "drivers": [
          {"name": "fake_driver", "status": "ok", "devices": [...]},
          {"name": "nvidia_gpu_driver", "status": "failed",
           "error": "RuntimeError: ...",
           "devices": [...last devices it reported...] | null}]}

   A failed driver's ``devices`` (its last successful output, remembered
   by the agent) are treated like stubs: neither added, updated nor
   removed. A failed driver with ``devices: null`` (it never succeeded
   since the agent started) makes the report *incomplete*: the conductor
   then removes nothing from that host this cycle, since it cannot tell
   which devices the failed driver owns. Only devices that a successful
   driver stopped reporting are removed. ``agent`` records the agent's
   identity in the ``agents`` table (decisions D3.1).

Processing: the compute-node provider is looked up by name
(``PlacementResourceProviderNotFound`` if missing; nothing else happens);
the DB diff runs in one transaction (``inventory_diff``); after its
commit, the providers of vanished deployables are deleted and then their
rows (``inventory_removal``), and each new or changed deployable is
synced to Placement (``inventory_placement``) and its ``rp_uuid`` stored.
No Placement call is made inside a DB transaction. A deployable whose
sync fails is logged and keeps ``rp_uuid`` unset, so the next report
tries again; the others carry on.
"""
import logging
import threading

from cyborg.clients import placement as placement_client
from cyborg.common import exception
from cyborg.conductor.inventory import diff as inventory_diff
from cyborg.conductor.inventory import placement as rp_sync
from cyborg.conductor.inventory import removal as inventory_removal
from cyborg.conf import CONF
from cyborg.db import session
from cyborg.db.queries import inventory as inventory_db
from cyborg.notifications import events as notifications

LOG = logging.getLogger(__name__)

REPORT_FORMAT = 'cyborg-report/1'
_DEVICE_KEYS = ('type', 'vendor', 'model', 'controlpath_id')
_client_lock = threading.Lock()
_client = []


class InvalidReport(exception.Invalid):
    msg_fmt = 'Invalid agent report from %(host)s: %(reason)s'


def placement():
    """The conductor's Placement client (built once from [placement])."""
    with _client_lock:
        if not _client:
            _client.append(placement_client.PlacementClient())
        return _client[0]


def set_placement(client):
    """Use ``client`` from now on (tests, standalone); None resets."""
    with _client_lock:
        _client[:] = [client] if client is not None else []


class Report:
    """A parsed report: ``devices`` to diff, ``keep`` (cpid_info left
    untouched), ``complete``, ``failed_drivers``, ``agent``."""

    def __init__(self, hostname, devices, keep=(), complete=True,
                 failed_drivers=(), agent=None):
        self.hostname = hostname
        self.devices = [d for d in devices if not d.get('stub')]
        self.keep = set(keep) | {d['controlpath_id']['cpid_info']
                                 for d in devices if d.get('stub')}
        self.complete = complete
        self.failed_drivers = list(failed_drivers)
        self.agent = agent


def _unwrap(value):
    """Replace upstream versioned-object primitives by their data."""
    if isinstance(value, dict):
        if 'cyborg_object.data' in value:
            return _unwrap(value['cyborg_object.data'])
        return {k: _unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    return value


def _check_device(host, device):
    if not isinstance(device, dict):
        raise InvalidReport(host=host, reason='a device is not a mapping')
    missing = [k for k in _DEVICE_KEYS if k not in device]
    if missing:
        raise InvalidReport(host=host, reason='device without %s' %
                            ', '.join(missing))
    device.setdefault('deployable_list', [])
    for dep in device['deployable_list']:
        if 'name' not in dep or 'num_accelerators' not in dep:
            raise InvalidReport(host=host, reason='deployable without '
                                'name or num_accelerators')
        dep['num_accelerators'] = int(dep['num_accelerators'])
        dep.setdefault('attribute_list', [])
        dep.setdefault('attach_handle_list', [])
    return device


def parse_report(hostname, payload):
    """A :class:`Report` from either payload shape (see module doc)."""
    payload = _unwrap(payload)
    if isinstance(payload, list):
        return Report(hostname, [_check_device(hostname, d)
                                 for d in payload])
    if not isinstance(payload, dict) or \
            payload.get('format') != REPORT_FORMAT:
        raise InvalidReport(host=hostname, reason='unknown payload format')
    devices, keep, failed, complete = [], set(), [], True
    for driver in payload.get('drivers') or []:
        listed = [_check_device(hostname, d)
                  for d in driver.get('devices') or []]
        if driver.get('status') == 'ok':
            devices.extend(listed)
            continue
        failed.append(driver.get('name', '?'))
        if driver.get('devices') is None:
            complete = False
        keep.update(d['controlpath_id']['cpid_info'] for d in listed)
    return Report(hostname, devices, keep, complete, failed,
                  _agent(payload.get('agent')))


def _agent(agent):
    if not agent or not agent.get('host'):
        return None
    return {'host': agent['host'],
            'compute_node_name': agent.get('compute_node_name'),
            'rp_uuid': agent.get('compute_node_rp_uuid')}


def compute_node(client, hostname):
    """The compute-node provider named ``hostname``, or raise."""
    provider = client.get_provider_by_name(hostname)
    if provider is None:
        raise exception.PlacementResourceProviderNotFound(
            resource_provider=hostname)
    return provider


def report_data(context, hostname, driver_device_list, client=None):
    """Process one agent report; returns a summary (for logs and tests)."""
    client = client or placement()
    report = parse_report(hostname, driver_device_list)
    if report.failed_drivers:
        LOG.warning('Report of %s: drivers failed: %s', hostname,
                    ', '.join(report.failed_drivers))
    parent = compute_node(client, hostname)['uuid']
    if report.agent and not report.agent['compute_node_name']:
        report.agent['compute_node_name'] = hostname
    before = notifications.inventory_snapshot(context, hostname)
    apply = session.retry_on_busy(inventory_diff.apply)
    outcome = apply(context, report)
    failures = inventory_removal.finish(context, client, outcome)
    failures += sync_providers(context, client, parent, outcome.wanted)
    notifications.inventory_reported(context, hostname, before)
    summary = outcome.summary()
    summary['placement_failures'] = failures
    if outcome.added or outcome.removed or outcome.deferred or failures:
        LOG.info('Report of %s: %s', hostname, summary)
    return summary


def sync_providers(context, client, parent_uuid, wanted):
    """Sync each Wanted to Placement; store rp_uuids; returns the names
    whose sync failed (each failure is logged and isolated)."""
    sync = rp_sync.ProviderSync(client, parent_uuid)
    synced, failed = rp_sync.sync_many(
        sync, wanted, CONF.conductor.placement_sync_workers)
    inventory_db.set_rp_uuids(
        context, {w.deployable_id: w.rp_uuid for w in synced})
    return [w.name for w in failed]
