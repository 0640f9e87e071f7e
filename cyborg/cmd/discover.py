"""``cyborg-discover``: print what the enabled drivers see on this host.

Runs every driver of ``[agent] enabled_drivers`` once (configuration from
``--config-file``) and prints one table row per deployable. It changes
nothing on the host and contacts no service: no database, message bus or
Placement. Commands (``lspci``) run in this process, not through privsep.

``--root`` and ``--lspci-output`` replay a host captured elsewhere: a copy
of its ``/sys`` tree (as ``<root>/sys``, symbolic links kept, e.g. ``cp -a``
or ``tar``) and the saved output of ``lspci -nn -D``. The report is then
exactly what the agent on that host would send, except that the drivers
naming deployables after the OS host name use this machine's name unless
``--os-hostname`` is given.
"""
import json
import logging
import sys

from oslo_config import cfg

from cyborg.accelerator.drivers import exceptions
from cyborg.accelerator.drivers import host as host_mod
from cyborg.accelerator.drivers import loader
from cyborg.conf import drivers as drivers_conf

COLUMNS = ('DRIVER', 'TYPE', 'VENDOR', 'CONTROL PATH', 'DEPLOYABLE', 'RC',
           'COUNT', 'HANDLES', 'TRAITS')

cli_opts = [
    cfg.BoolOpt('json', default=False,
                help='Print the driver devices as JSON instead of a table.'),
    cfg.StrOpt('root', default='/',
               help='Directory holding the sys/ tree to read (a host '
                    'captured elsewhere); / by default.'),
    cfg.StrOpt('lspci-output',
               help='File with saved "lspci -nn -D" output, used instead '
                    'of running lspci.'),
    cfg.StrOpt('os-hostname',
               help='OS host name to report (the Intel FPGA, QAT and NIC '
                    'drivers name deployables after it); this machine\'s '
                    'by default.'),
]


class _SavedLspci:
    """Runner answering every ``lspci`` call with the saved output."""

    def __init__(self, path):
        with open(path, encoding='utf-8') as fh:
            self.text = fh.read()

    def __call__(self, argv):
        if argv and argv[0] == 'lspci':
            return 0, self.text, ''
        return 127, '', '%s: not run while replaying a saved host' % argv[0]


def _host_view(conf):
    runner = _SavedLspci(conf.lspci_output) if conf.lspci_output else None
    return host_mod.HostView(root=conf.root, runner=runner,
                             hostname=conf.os_hostname, privileged=False)


def _cpid(device):
    try:
        info = json.loads(device.controlpath_id.cpid_info)
        return '%s:%s:%s.%s' % (info['domain'], info['bus'], info['device'],
                                info['function'])
    except (ValueError, KeyError, TypeError):
        return device.controlpath_id.cpid_info


def rows(driver_name, devices):
    for dev in devices:
        for dep in dev.deployable_list:
            rc = [a.value for a in dep.attribute_list if a.key == 'rc']
            traits = [a.value for a in dep.attribute_list
                      if a.key.startswith('trait')]
            yield (driver_name, dev.type + (' (stub)' if dev.stub else ''),
                   dev.vendor, _cpid(dev), dep.name, ','.join(rc) or '-',
                   str(dep.num_accelerators),
                   str(len(dep.attach_handle_list)),
                   ','.join(traits) or '-')


def format_table(table_rows):
    table = [COLUMNS] + [tuple(r) for r in table_rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(COLUMNS))]
    return '\n'.join('  '.join(c.ljust(w) for c, w in zip(r, widths)).rstrip()
                     for r in table)


def run(conf, host, out=None, err=None):
    """Discover with every enabled driver; returns the exit status."""
    out = out or sys.stdout
    err = err or sys.stderr
    status = 0
    table, dump = [], {}
    for name in conf.agent.enabled_drivers:
        try:
            [driver] = loader.load_drivers([name], conf=conf, host=host)
        except exceptions.InvalidDriver as exc:
            print('%s: %s' % (name, exc), file=err)
            status = 1
            continue
        except exceptions.DriverError as exc:
            # What would stop cyborg-agent at start-up (a malformed option).
            print('%s: cannot start: %s' % (name, exc), file=err)
            status = 1
            continue
        try:
            devices = driver.discover()
        except Exception as exc:  # noqa: BLE001 - report and go on
            print('%s: discovery failed: %s: %s'
                  % (name, type(exc).__name__, exc), file=err)
            status = 1
            continue
        dump[name] = [d.to_dict() for d in devices]
        table.extend(rows(name, devices))
    if conf.json:
        print(json.dumps(dump, indent=2, sort_keys=True), file=out)
    else:
        print(format_table(table), file=out)
    return status


def main(argv=None, conf=None, host=None):
    if conf is None:
        from cyborg import conf as cyborg_conf
        conf = cyborg_conf.CONF
        drivers_conf.register_opts(conf)
    conf.register_cli_opts(cli_opts)
    conf(sys.argv[1:] if argv is None else argv, project='cyborg',
         prog='cyborg-discover')
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format='%(levelname)s %(name)s: %(message)s')
    if host is None:
        try:
            host = _host_view(conf)
        except OSError as exc:
            print('cannot read --lspci-output: %s' % exc, file=sys.stderr)
            return 2
    return run(conf, host)


if __name__ == '__main__':
    sys.exit(main())
