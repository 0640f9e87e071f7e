"""The ARQ state machine as a table (api.md §9.2, internals.md §5.2, D3.4).

``TRANSITIONS`` maps every target state to the states it may be entered
from. Only the conductor moves ARQs, and only with :func:`move`: one
conditional ``UPDATE ... WHERE id = :id AND state IN (<sources>)`` whose
row count says whether the move happened, so two writers racing for one
ARQ never both win, on SQLite, MySQL or PostgreSQL.

Our additions to upstream's table (decision D3.4):

* ``UnbindFailed`` is real: an unbind whose mediated device could not be
  removed leaves the ARQ there, still holding its attach handle, until an
  unbind or a delete succeeds.
* ``Deleting`` is real: a delete first moves every ARQ to ``Deleting``
  (so a concurrent bind cannot pick it up), releases what it holds, then
  removes the rows. A delete that failed half way leaves ``Deleting`` rows
  that the next delete finishes.
* ``Unbound`` may be entered from anything but ``Deleting``: unbinding is
  idempotent (api.md §9.7), but a row on its way out stays on its way out.
"""
import datetime

from oslo_utils import timeutils
import sqlalchemy as sa

from cyborg.common import exception
from cyborg.common import states

INITIAL = states.INITIAL
BIND_STARTED = states.BIND_STARTED
BOUND = states.BOUND
UNBOUND = states.UNBOUND
BIND_FAILED = states.BIND_FAILED
DELETING = states.DELETING
UNBIND_FAILED = states.UNBIND_FAILED

# target -> allowed sources. Initial is entered only by creation.
TRANSITIONS = {
    # A refused bind is rolled back (Q13): BindStarted -> where it was.
    INITIAL: frozenset({BIND_STARTED}),
    BIND_STARTED: frozenset({INITIAL, UNBOUND}),
    BOUND: frozenset({BIND_STARTED}),
    BIND_FAILED: frozenset({BIND_STARTED, BOUND}),
    UNBOUND: frozenset({INITIAL, BIND_STARTED, BOUND, BIND_FAILED, UNBOUND,
                        UNBIND_FAILED}),
    UNBIND_FAILED: frozenset({BIND_STARTED, BOUND, BIND_FAILED, UNBOUND,
                              UNBIND_FAILED}),
    DELETING: frozenset(states.ALL),
}

# Which trigger moves an ARQ into each state (for the docs and the diagram).
TRIGGERS = {
    INITIAL: 'refused bind rolled back (Q13)',
    BIND_STARTED: 'bind PATCH accepted',
    BOUND: 'handle claimed, device prepared',
    BIND_FAILED: 'preparation failed / bind_timeout / conductor restart',
    UNBOUND: 'unbind PATCH',
    UNBIND_FAILED: 'mdev removal failed',
    DELETING: 'DELETE',
}

# Nova event status of each resolved state (api.md §9.2).
NOVA_STATUS = {BOUND: 'completed', BIND_FAILED: 'failed',
               DELETING: 'failed'}


def sources(target):
    """States ``target`` may be entered from (KeyError if unknown)."""
    return TRANSITIONS[target]


def allowed(source, target):
    return source in TRANSITIONS.get(target, ())


def check(source, target, uuid=None):
    """Raise :class:`ARQInvalidState` (409) unless source -> target."""
    if not allowed(source, target):
        raise exception.ARQInvalidState(
            state=source, uuid=uuid,
            expected=sorted_states(TRANSITIONS.get(target, ())))


def sorted_states(names):
    """``names`` in the order of :data:`states.ALL` (stable messages)."""
    return [s for s in states.ALL if s in names]


def move(db_session, arq_id, target, values=None, where=(),
         sources_override=None):
    """Compare-and-set the state of ARQ ``arq_id`` to ``target``.

    ``values`` are written in the same statement; ``where`` adds
    conditions (e.g. the attach handle the caller expects the row to
    hold); ``sources_override`` narrows the allowed sources (it may only
    name states the table allows). Returns True when the row moved, False
    when it was not in an allowed source state (or is gone); the caller
    decides whether that is an error.
    """
    from cyborg.db import models
    arq = models.ExtArq
    allowed_from = TRANSITIONS[target]
    if sources_override is not None:
        if not set(sources_override) <= allowed_from:
            raise ValueError('%s -> %s is not in the table'
                             % (sorted(sources_override), target))
        allowed_from = sources_override
    allowed_from = sorted_states(allowed_from)
    values = dict(values or {}, state=target,
                  updated_at=timeutils.utcnow())
    result = db_session.execute(
        sa.update(arq).where(arq.id == arq_id, arq.state.in_(allowed_from),
                             *where)
        .values(**values).execution_options(synchronize_session=False))
    return result.rowcount == 1


def is_resolved(state):
    return state in states.RESOLVED


def utcnow():
    return timeutils.utcnow()


def older_than(seconds):
    """The naive UTC timestamp ``seconds`` ago (``updated_at`` is naive)."""
    return timeutils.utcnow() - datetime.timedelta(seconds=seconds)


def diagram(fmt='mermaid'):
    """The table as a ``mermaid`` state diagram or a Graphviz ``dot``
    digraph, for the docs."""
    edges = [(src, dst) for dst in states.ALL
             for src in sorted_states(TRANSITIONS[dst]) if src != dst]
    if fmt == 'mermaid':
        lines = ['stateDiagram-v2', '    [*] --> Initial']
        lines += ['    %s --> %s' % (s, d) + (
            ': %s' % TRIGGERS[d] if d in TRIGGERS else '')
            for s, d in edges]
        lines += ['    %s --> %s' % (d, d) for d in states.ALL
                  if d in TRANSITIONS[d]]
        return '\n'.join(lines) + '\n'
    if fmt == 'dot':
        lines = ['digraph arq_states {', '  rankdir=LR;',
                 '  start [shape=point];', '  start -> Initial '
                 '[label="POST"];']
        for state in states.ALL:
            shape = 'doublecircle' if state in states.RESOLVED else 'box'
            lines.append('  %s [shape=%s];' % (state, shape))
        for src, dst in edges:
            lines.append('  %s -> %s;' % (src, dst))
        for d in states.ALL:
            if d in TRANSITIONS[d]:
                lines.append('  %s -> %s;' % (d, d))
        lines.append('}')
        return '\n'.join(lines) + '\n'
    raise ValueError('unknown diagram format %r' % fmt)
