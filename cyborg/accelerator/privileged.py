"""Privileged host actions of the agent (oslo.privsep context).

Only three kinds of action run with privileges: listing PCI functions with
``lspci``, programming FPGAs (``fpgaconf``, ``xbmgmt``) and writing the
``create``/``remove`` files of mediated devices. Each is a plain function
(``do_*``) that tests can call directly against a fake host root, wrapped in
an entrypoint of the ``cyborg_sys_admin`` context that runs it in the privsep
daemon (started with ``sudo privsep-helper``, see ``[cyborg_sys_admin]``).
"""
import os
import subprocess

from oslo_privsep import capabilities as caps
from oslo_privsep import priv_context

sys_admin_pctxt = priv_context.PrivContext(
    'cyborg',
    cfg_section='cyborg_sys_admin',
    pypath=__name__ + '.sys_admin_pctxt',
    capabilities=[caps.CAP_CHOWN,
                  caps.CAP_DAC_OVERRIDE,
                  caps.CAP_DAC_READ_SEARCH,
                  caps.CAP_FOWNER,
                  caps.CAP_SYS_ADMIN],
)

# Executables the daemon agrees to run; anything else is refused.
ALLOWED_COMMANDS = frozenset([
    'lspci',
    '/usr/bin/fpgaconf',
    '/opt/xilinx/xrt/bin/xbmgmt',
])

# The only sysfs files the daemon agrees to write.
_WRITABLE_PREFIX = ('sys', 'class', 'mdev_bus')
_WRITABLE_NAMES = ('create', 'remove')

COMMAND_TIMEOUT = 600


def do_execute(argv):
    """Run ``argv`` (no shell); return ``(returncode, stdout, stderr)``."""
    argv = [str(a) for a in argv]
    if not argv or argv[0] not in ALLOWED_COMMANDS:
        raise PermissionError('command not allowed: %r' % (argv[:1],))
    try:
        proc = subprocess.run(argv, capture_output=True, text=True,
                              check=False, timeout=COMMAND_TIMEOUT)
    except (OSError, subprocess.SubprocessError) as exc:
        return 127, '', str(exc)
    return proc.returncode, proc.stdout, proc.stderr


def check_sysfs_write(relpath):
    """Refuse any write outside the mdev create/remove files."""
    parts = relpath.split('/')
    if (any(p in ('', '.', '..') for p in parts)
            or tuple(parts[:3]) != _WRITABLE_PREFIX
            or parts[-1] not in _WRITABLE_NAMES):
        raise PermissionError('sysfs write not allowed: %s' % relpath)


def do_write_sysfs(root, relpath, data):
    """Write ``data`` into the existing file ``<root>/<relpath>``."""
    check_sysfs_write(relpath)
    path = os.path.join(root, relpath)
    fd = os.open(path, os.O_WRONLY)  # sysfs attributes exist; never create
    try:
        os.write(fd, data.encode())
    finally:
        os.close(fd)


execute = sys_admin_pctxt.entrypoint(do_execute)
write_sysfs = sys_admin_pctxt.entrypoint(do_write_sysfs)
