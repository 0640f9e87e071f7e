"""Per-driver isolation of the resource tracker."""
from cyborg.accelerator.drivers import fake
from cyborg.agent import resource_tracker
from cyborg.conf import CONF


class Flaky:
    def __init__(self, results):
        self.results = list(results)

    def discover(self):
        result = self.results.pop(0)
        if isinstance(result, Exception):
            raise result
        return result


def _fake():
    return fake.FakeDriver(conf=CONF)


def test_all_ok():
    tracker = resource_tracker.ResourceTracker([('fake_driver', _fake())])
    report = tracker.report(agent={'host': 'h'})
    assert report['format'] == 'cyborg-report/1'
    assert report['agent'] == {'host': 'h'}
    [entry] = report['drivers']
    assert entry['status'] == 'ok' and len(entry['devices']) == 1
    assert entry['devices'][0]['deployable_list'][0]['num_accelerators'] \
        == 16


def test_failing_driver_isolated_and_logged(caplog):
    flaky = Flaky([RuntimeError('boom')])
    tracker = resource_tracker.ResourceTracker(
        [('flaky', flaky), ('fake_driver', _fake())])
    entries = tracker.discover()
    assert entries[0] == {'name': 'flaky', 'status': 'failed',
                          'error': 'RuntimeError: boom', 'devices': None}
    assert entries[1]['status'] == 'ok'
    assert 'flaky' in caplog.text


def test_failed_driver_resends_last_good_devices():
    good = _fake().discover()
    flaky = Flaky([good, ValueError('x'), 'not a list of devices'])
    tracker = resource_tracker.ResourceTracker([('flaky', flaky)])
    first = tracker.discover()[0]
    second = tracker.discover()[0]
    third = tracker.discover()[0]
    assert first['status'] == 'ok'
    assert second['status'] == 'failed'
    assert second['devices'] == first['devices']
    assert third['status'] == 'failed'          # bad return value
    assert third['devices'] == first['devices']


def test_empty_driver_list_is_an_empty_report():
    tracker = resource_tracker.ResourceTracker([])
    assert tracker.report()['drivers'] == []


def test_driver_for_tag():
    driver = _fake()
    tracker = resource_tracker.ResourceTracker([('fake_driver', driver)])
    assert tracker.driver_for_tag('fake') is None   # nothing discovered
    tracker.discover()
    assert tracker.driver_for_tag('fake') is driver
    assert tracker.driver_for_tag('FAKE') is None
