"""The access log written off the request thread (``access_log``): every
line, in order, with the request context it ran under, also from a forked
child that ends with ``os._exit`` (how granian's workers end), and when the
process exits right after its last request."""
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent('''
    import logging, multiprocessing, sys
    from oslo_context import context
    from cyborg.common import access_log
    handler = logging.FileHandler(sys.argv[1])
    handler.setFormatter(logging.Formatter(
        '%(process)d %(request_id)s %(message)s'))

    class RequestId(logging.Filter):
        def filter(self, record):
            ctx = record.__dict__.get('context')
            record.request_id = ctx.request_id if ctx else '-'
            return True

    handler.addFilter(RequestId())
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.INFO)

    def app(environ, start_response):
        context.RequestContext(request_id=environ['X_ID'])  # now current
        start_response('200 OK', [])
        return [b'']

    logged = access_log.access_logged(app)

    def serve(prefix, count):
        for i in range(count):
            environ = {'REQUEST_METHOD': 'GET', 'PATH_INFO': '/%s/%d'
                       % (prefix, i), 'REMOTE_ADDR': '127.0.0.1',
                       'X_ID': 'req-%s-%d' % (prefix, i)}
            logged(environ, lambda *a: None)

    serve('parent', 300)
    child = multiprocessing.get_context('fork').Process(
        target=serve, args=('child', 300))
    child.start()
    child.join()
    serve('after', 5)      # and exit at once
''')


def test_every_line_in_order_with_its_context(tmp_path):
    log = tmp_path / 'access.log'
    subprocess.run([sys.executable, '-c', SCRIPT, str(log)], check=True,
                   timeout=60)
    lines = log.read_text().splitlines()
    by_prefix = {}
    for line in lines:
        pid, request_id, rest = line.split(' ', 2)
        prefix = request_id.split('-')[1]
        by_prefix.setdefault(prefix, []).append((pid, request_id, rest))
    assert {p: len(v) for p, v in by_prefix.items()} == {
        'parent': 300, 'child': 300, 'after': 5}
    for prefix, entries in by_prefix.items():
        assert len({pid for pid, _, _ in entries}) == 1
        for i, (_pid, request_id, rest) in enumerate(entries):
            assert request_id == 'req-%s-%d' % (prefix, i)
            assert rest.startswith('127.0.0.1 "GET /%s/%d" status: 200 '
                                   'time: ' % (prefix, i)), rest
    assert by_prefix['child'][0][0] != by_prefix['parent'][0][0]


AFTER_FLUSH = textwrap.dedent('''
    import logging, sys
    from cyborg.common import access_log
    handler = logging.FileHandler(sys.argv[1])
    handler.setFormatter(logging.Formatter('%(message)s'))
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.INFO)
    logged = access_log.access_logged(
        lambda environ, start_response: start_response('200 OK', []) or [])
    for i in range(6):
        logged({'REQUEST_METHOD': 'GET', 'PATH_INFO': '/%d' % i},
               lambda *a: None)
        if i % 2:
            access_log._WRITER.flush()   # as at exit; lines may follow
''')


def test_lines_after_a_flush_are_written(tmp_path):
    log = tmp_path / 'access.log'
    subprocess.run([sys.executable, '-c', AFTER_FLUSH, str(log)],
                   check=True, timeout=60)
    paths = [line.split('"')[1] for line in log.read_text().splitlines()]
    assert paths == ['GET /%d' % i for i in range(6)]
