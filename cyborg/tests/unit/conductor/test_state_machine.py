"""The ARQ state machine table, exhaustively (D3.4).

Every (source, target) pair is checked twice: against the matrix below,
written out by hand from api.md §9.2 and our decisions, and through
``state_machine.move`` on a real database row, so the table, the
conditional UPDATE and the schema's enum agree.
"""
import itertools
import uuid

import pytest
import sqlalchemy as sa

from cyborg.common import exception
from cyborg.common import state_machine as sm
from cyborg.common import states
from cyborg.db import models
from cyborg.tests.fixtures import database

N, S, B, U, F, D, X = (states.INITIAL, states.BIND_STARTED, states.BOUND,
                       states.UNBOUND, states.BIND_FAILED, states.DELETING,
                       states.UNBIND_FAILED)

# row = source, columns = target in the order N S B U F D X; 1 = allowed.
MATRIX = {
    N: dict(zip((N, S, B, U, F, D, X), (0, 1, 0, 1, 0, 1, 0))),
    S: dict(zip((N, S, B, U, F, D, X), (1, 0, 1, 1, 1, 1, 1))),
    B: dict(zip((N, S, B, U, F, D, X), (0, 0, 0, 1, 1, 1, 1))),
    U: dict(zip((N, S, B, U, F, D, X), (0, 1, 0, 1, 0, 1, 1))),
    F: dict(zip((N, S, B, U, F, D, X), (0, 0, 0, 1, 0, 1, 1))),
    D: dict(zip((N, S, B, U, F, D, X), (0, 0, 0, 0, 0, 1, 0))),
    X: dict(zip((N, S, B, U, F, D, X), (0, 0, 0, 1, 0, 1, 1))),
}
PAIRS = list(itertools.product(states.ALL, states.ALL))


def test_table_covers_every_state():
    assert set(sm.TRANSITIONS) == set(states.ALL)
    for sources in sm.TRANSITIONS.values():
        assert sources <= set(states.ALL)
    assert set(states.ALL) == set(models.ARQ_STATES)


@pytest.mark.parametrize('source,target', PAIRS)
def test_allowed_matches_matrix(source, target):
    assert sm.allowed(source, target) is bool(MATRIX[source][target])


def test_upstream_rows_are_kept():
    assert sm.sources(S) == {N, U}
    assert sm.sources(B) == {S}
    assert sm.sources(F) == {S, B}
    assert sm.sources(N) == {S}  # only the Q13 roll-back


def test_resolved_states_map_to_nova_status():
    assert set(sm.NOVA_STATUS) == set(states.RESOLVED)
    assert sm.NOVA_STATUS == {B: 'completed', F: 'failed', D: 'failed'}


def test_check_raises_409_with_upstream_text():
    with pytest.raises(exception.ARQInvalidState) as err:
        sm.check(B, S, uuid='u1')
    assert err.value.code == 409
    assert str(err.value) == ("Bad state: Bound for ARQ: u1. Expected "
                              "state(s): ['Initial', 'Unbound']")
    sm.check(N, S)


@pytest.fixture(scope='module')
def arq_rows():
    """One ARQ per state on one database, shared by the pair tests."""
    with database.Database() as db:
        with db.session() as s:
            dp = models.DeviceProfile(uuid=str(uuid.uuid4()), name='dp',
                                      profile_json='{"groups": []}')
            s.add(dp)
            s.flush()
            s.add(models.ExtArq(uuid=str(uuid.uuid4()), state=N,
                                device_profile_id=dp.id))
            s.commit()
            arq_id = s.scalars(sa.select(models.ExtArq.id)).one()
        yield db, arq_id


@pytest.mark.parametrize('source,target', PAIRS)
def test_move_on_the_database(arq_rows, source, target):
    db, arq_id = arq_rows
    with db.session() as s:
        s.execute(sa.update(models.ExtArq).values(state=source))
        moved = sm.move(s, arq_id, target, {'state_reason': 'r'})
        s.commit()
        state = s.scalars(sa.select(models.ExtArq.state)).one()
    assert moved is bool(MATRIX[source][target])
    assert state == (target if moved else source)


def test_move_with_extra_condition_and_narrowed_sources(arq_rows):
    db, arq_id = arq_rows
    with db.session() as s:
        s.execute(sa.update(models.ExtArq).values(state=S))
        assert not sm.move(s, arq_id, B,
                           where=[models.ExtArq.attach_handle_id == 7])
        assert not sm.move(s, arq_id, U, sources_override={B})
        assert sm.move(s, arq_id, U, sources_override={S})
        with pytest.raises(ValueError):
            sm.move(s, arq_id, B, sources_override={U})
        s.rollback()


def test_move_of_a_missing_row_is_false(arq_rows):
    db, _ = arq_rows
    with db.session() as s:
        assert sm.move(s, 999999, U) is False


@pytest.mark.parametrize('fmt', ['mermaid', 'dot'])
def test_diagram_has_every_edge(fmt):
    text = sm.diagram(fmt)
    arrow = ' --> ' if fmt == 'mermaid' else ' -> '
    for source, target in PAIRS:
        edge = '%s%s%s' % (source, arrow, target)
        assert (edge in text) is bool(MATRIX[source][target]), edge
    assert text.startswith('stateDiagram-v2' if fmt == 'mermaid'
                           else 'digraph')


def test_diagram_rejects_unknown_format():
    with pytest.raises(ValueError):
        sm.diagram('svg')
