"""Outputs of the audit: a table for people, JSON for scripts, and a
progress line shown only when standard output is a terminal."""
import json
import sys

COLUMNS = ('kind', 'host', 'provider', 'expected', 'found', 'fix')


def _cell(value):
    if value is None:
        return '-'
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, separators=(',', ':'))


def _provider(row):
    if row.name and row.provider:
        return '%s (%s)' % (row.name, row.provider)
    return row.name or row.provider or '-'


def table(outcome):
    """The rows as a plain-text table, then a summary line."""
    header = list(COLUMNS) + (['result'] if outcome.fixed else [])
    lines = []
    for row in outcome.rows:
        cells = [row.kind, row.host, _provider(row), _cell(row.expected),
                 _cell(row.found), row.fix]
        if outcome.fixed:
            cells.append(row.result or '-')
        lines.append(cells)
    widths = [max([len(h)] + [len(c[i]) for c in lines])
              for i, h in enumerate(header)]
    out = []
    if lines:
        fmt = '  '.join('%%-%ds' % w for w in widths)
        out.append((fmt % tuple(h.upper() for h in header)).rstrip())
        out.extend((fmt % tuple(c)).rstrip() for c in lines)
    out.append(summary(outcome))
    return '\n'.join(out) + '\n'


def summary(outcome):
    text = ('%d host(s), %d deployable(s), %d Placement call(s): '
            % (outcome.hosts, outcome.deployables, outcome.placement_calls))
    if not outcome.rows:
        return text + 'in sync.'
    text += '%d difference(s)' % len(outcome.rows)
    if outcome.fixed:
        fixed = sum(1 for r in outcome.rows if r.result == 'fixed')
        text += ', %d fixed, %d left' % (fixed, len(outcome.remaining))
    return text + '.'


def as_json(outcome):
    body = {'in_sync': outcome.in_sync, 'hosts': outcome.hosts,
            'deployables': outcome.deployables,
            'placement_calls': outcome.placement_calls,
            'differences': [r.to_dict() for r in outcome.rows]}
    if outcome.fixed:
        body['remaining'] = [r.to_dict() for r in outcome.remaining]
    return json.dumps(body, indent=2, sort_keys=True) + '\n'


class Progress:
    """``Auditing N/T deployables`` rewritten in place on a terminal;
    silent when ``stream`` is not a tty."""

    def __init__(self, stream=None, every=1):
        self.stream = stream or sys.stdout
        self.enabled = bool(getattr(self.stream, 'isatty', None) and
                            self.stream.isatty())
        self.every = max(1, every)
        self.total = self.count = 0

    def start(self, total):
        self.total, self.count = total, 0
        self._show()

    def step(self):
        self.count += 1
        if self.count % self.every == 0 or self.count == self.total:
            self._show()

    def _show(self):
        if self.enabled:
            self.stream.write('\rAuditing Placement: %d/%d deployables'
                              % (self.count, self.total))
            self.stream.flush()

    def done(self):
        if self.enabled:
            self.stream.write('\r\033[K')
            self.stream.flush()
