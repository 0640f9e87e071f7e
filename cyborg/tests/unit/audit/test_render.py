"""The audit's outputs: table, JSON, progress only on a terminal."""
import io
import json

from cyborg.audit import compare
from cyborg.audit import expected
from cyborg.audit import render
from cyborg.audit import run


def _outcome(rows, fixed=False, remaining=None):
    return run.Outcome(hosts=1, deployables=2, rows=rows,
                       remaining=rows if remaining is None else remaining,
                       placement_calls=9, fixed=fixed)


def _row(kind='traits_mismatch', fix='set traits OWNER_CYBORG'):
    return compare.Drift(kind, 'compute-01', 'rp-1', 'dep-1',
                         ['OWNER_CYBORG'], [], fix)


def test_table_in_sync_is_one_line():
    assert render.table(_outcome([])) == \
        '1 host(s), 2 deployable(s), 9 Placement call(s): in sync.\n'


def test_table_columns_and_result():
    row = _row()
    row.result = 'fixed'
    text = render.table(_outcome([row], fixed=True, remaining=[]))
    header, line, summary = text.splitlines()
    assert header.split() == ['KIND', 'HOST', 'PROVIDER', 'EXPECTED',
                              'FOUND', 'FIX', 'RESULT']
    assert line.startswith('traits_mismatch  compute-01  dep-1 (rp-1)')
    assert '["OWNER_CYBORG"]' in line and line.endswith('fixed')
    assert summary.endswith('1 difference(s), 1 fixed, 0 left.')


def test_json_shape():
    body = json.loads(render.as_json(_outcome([_row()])))
    assert body['in_sync'] is False and body['placement_calls'] == 9
    assert body['differences'][0] == {
        'kind': 'traits_mismatch', 'host': 'compute-01', 'provider': 'rp-1',
        'name': 'dep-1', 'expected': ['OWNER_CYBORG'], 'found': [],
        'fix': 'set traits OWNER_CYBORG'}
    assert 'remaining' not in body


def test_fixable_rows():
    assert _row().fixable
    assert not _row('provider_stray', 'none: allocations held by x').fixable
    assert not _row('allocation_missing', compare.NOVA_OWNS).fixable


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_only_on_a_terminal():
    quiet = io.StringIO()
    progress = render.Progress(quiet)
    progress.start(3)
    for _ in range(3):
        progress.step()
    progress.done()
    assert quiet.getvalue() == ''
    tty = _Tty()
    progress = render.Progress(tty, every=2)
    progress.start(3)
    for _ in range(3):
        progress.step()
    progress.done()
    shown = tty.getvalue()
    assert '\rAuditing Placement: 0/3 deployables' in shown
    assert '2/3' in shown and '3/3' in shown and '1/3' not in shown
    assert shown.endswith('\r\033[K')


def test_group_resources():
    profile = json.dumps({'groups': [{'resources:FPGA': '2',
                                      'trait:CUSTOM_X': 'required'},
                                     {'resources:PGPU': 'x'}]})
    assert expected.group_resources(profile, 0) == {'FPGA': 2}
    assert expected.group_resources(profile, 1) == {}
    assert expected.group_resources(profile, 5) == {}
    assert expected.group_resources('not json', 0) == {}
