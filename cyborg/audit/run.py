"""One audit: expected (database) -> found (Placement) -> drift [-> fix].

With ``fix``, the fixable rows are repaired and the hosts that had any
drift are audited again; ``remaining`` is what that second pass still
finds (allocations Nova holds, failed repairs), and decides the exit
status.
"""
import dataclasses

from cyborg.audit import compare
from cyborg.audit import expected as expected_mod
from cyborg.audit import found as found_mod
from cyborg.audit import repair as repair_mod


@dataclasses.dataclass
class Outcome:
    hosts: int
    deployables: int
    rows: list
    remaining: list
    placement_calls: int
    fixed: bool = False

    @property
    def in_sync(self):
        return not self.remaining


def _audit(context, client, hosts, progress):
    rows, compute_nodes = [], {}
    for name in sorted(hosts):
        exp = hosts[name]
        found = found_mod.read_host(client, exp, progress=progress)
        if found.compute_node is not None:
            compute_nodes[name] = found.compute_node['uuid']
        rows.extend(compare.host_drift(exp, found))
    return rows, compute_nodes


def audit(context, client, hostname=None, fix=False, progress=None):
    """Run the audit; returns an :class:`Outcome`.

    ``progress`` (optional) has ``start(total)``, ``step()`` and
    ``done()``."""
    hosts = expected_mod.load(context, hostname=hostname)
    total = sum(len(h.deployables) for h in hosts.values())
    before = client.stats.get('GET', 0) + client.writes
    if progress:
        progress.start(total)
    step = progress.step if progress else None
    try:
        rows, compute_nodes = _audit(context, client, hosts, step)
    finally:
        if progress:
            progress.done()
    remaining = rows
    if fix and any(r.fixable for r in rows):
        repair_mod.repair(context, client, rows, compute_nodes)
        touched = {r.host for r in rows}
        again = expected_mod.load(context, hostname=hostname)
        remaining, _ = _audit(context, client,
                              {h: again[h] for h in touched if h in again},
                              None)
    elif fix:
        for row in rows:
            row.result = 'reported'
    calls = client.stats.get('GET', 0) + client.writes - before
    return Outcome(hosts=len(hosts), deployables=total, rows=rows,
                   remaining=remaining, placement_calls=calls, fixed=fix)
