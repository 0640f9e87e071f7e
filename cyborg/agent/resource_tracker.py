"""Runs the drivers and builds the per-driver report (internals.md §4.1).

Each enabled driver's ``discover()`` runs in configuration order; a driver
that raises (or returns something that is not a list of driver devices) is
logged with its name and skipped, and the others still report
(decisions D3.6; upstream aborted the whole cycle, drivers.md §1).

The report is the per-driver payload documented in
``cyborg.conductor.inventory.report`` (format ``cyborg-report/1``): one
entry per driver with ``status`` ``ok`` or ``failed``. For a failed driver the
tracker sends the devices of that driver's last successful discovery, so
the conductor leaves exactly those untouched, or ``null`` when the driver
has not succeeded since the agent started, so the conductor removes
nothing from the host this cycle. Either way a failing driver never makes
the conductor delete its devices.
"""
import logging

LOG = logging.getLogger(__name__)

REPORT_FORMAT = 'cyborg-report/1'


class ResourceTracker:
    """:param drivers: ``[(entry-point name, driver instance)]``."""

    def __init__(self, drivers):
        self.drivers = list(drivers)
        self._last_good = {}

    def discover(self):
        """One entry per driver: ``{name, status, devices[, error]}``."""
        entries = []
        for name, driver in self.drivers:
            try:
                devices = [device.to_dict() for device in driver.discover()]
            except Exception as exc:   # isolate any driver failure
                LOG.exception('Accelerator driver %s failed; its devices '
                              'are left as they were', name)
                entries.append({'name': name, 'status': 'failed',
                                'error': '%s: %s' % (type(exc).__name__,
                                                     exc),
                                'devices': self._last_good.get(name)})
                continue
            self._last_good[name] = devices
            entries.append({'name': name, 'status': 'ok',
                            'devices': devices})
        return entries

    def report(self, agent=None):
        """The payload of ``report_data``'s ``driver_device_list``."""
        return {'format': REPORT_FORMAT, 'agent': agent,
                'drivers': self.discover()}

    def driver_for_tag(self, driver_name):
        """The driver whose last discovery reported deployables tagged
        ``driver_name`` (case-sensitive), or None."""
        for name, driver in self.drivers:
            for device in self._last_good.get(name) or ():
                for dep in device.get('deployable_list', ()):
                    if dep.get('driver_name') == driver_name:
                        return driver
        return None
