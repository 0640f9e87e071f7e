"""The host as drivers see it: a root directory holding ``sys/`` and a
command runner. Tests build one over a fake tree (see the fixture manifests)
with canned command output; the agent uses the real host.
"""
import collections
import logging
import os
import socket

LOG = logging.getLogger(__name__)

CommandResult = collections.namedtuple('CommandResult',
                                       ['returncode', 'stdout', 'stderr'])


class HostView:
    """Read-only view of a host, plus its privileged actions.

    :param root: directory that contains ``sys/`` (``/`` on a real host).
    :param runner: callable ``runner(argv) -> (returncode, stdout, stderr)``
        used instead of the privileged command runner (tests).
    :param hostname: OS host name to report; ``socket.gethostname()`` when
        omitted.
    :param privileged: run commands and sysfs writes through the privsep
        daemon (True, the default) or in this process (tests, or an operator
        command already running as root).
    """

    def __init__(self, root='/', runner=None, hostname=None,
                 privileged=True):
        self.root = root
        self._runner = runner
        self._hostname = hostname
        self.privileged = privileged

    # --- identity -------------------------------------------------------
    def hostname(self):
        return self._hostname or socket.gethostname()

    # --- file system ----------------------------------------------------
    def sys_path(self, *parts):
        return os.path.join(self.root, 'sys', *parts)

    def pci_path(self, address, *parts):
        """``/sys/bus/pci/devices/<address>/...`` under the root."""
        return self.sys_path('bus', 'pci', 'devices', address, *parts)

    @staticmethod
    def read(path):
        """Whole text of ``path``, or None when it cannot be read."""
        try:
            with open(path, encoding='utf-8') as fh:
                return fh.read()
        except (OSError, UnicodeDecodeError) as exc:
            LOG.debug('Cannot read %s: %s', path, exc)
            return None

    def read_line(self, path):
        """First line of ``path`` stripped, or None."""
        text = self.read(path)
        if text is None:
            return None
        lines = text.splitlines()
        return lines[0].strip() if lines else ''

    @staticmethod
    def listdir(path):
        """Sorted entries of ``path``; [] when it is missing or unreadable."""
        try:
            return sorted(os.listdir(path))
        except OSError:
            return []

    @staticmethod
    def exists(path):
        return os.path.lexists(path)

    @staticmethod
    def isdir(path):
        return os.path.isdir(path)

    @staticmethod
    def realpath(path):
        return os.path.realpath(path)

    # --- commands and privileged writes -----------------------------------
    def execute(self, argv):
        """Run a command; returns a :class:`CommandResult`."""
        argv = list(argv)
        if self._runner is not None:
            result = self._runner(argv)
        else:
            from cyborg.accelerator import privileged
            run = privileged.execute if self.privileged else \
                privileged.do_execute
            result = run(argv)
        return CommandResult(*result)

    def write_sysfs(self, relpath, data):
        """Write ``data`` to ``<root>/<relpath>`` (an mdev create/remove
        file), with privileges."""
        from cyborg.accelerator import privileged
        write = privileged.write_sysfs if self.privileged else \
            privileged.do_write_sysfs
        write(self.root, relpath, data)
