"""Real Placement served as production serves it: several worker
processes (gunicorn, sync workers) on one MariaDB/MySQL database.

``python -m benchmarks.placement_server <db url> <port> <workers>``; the
schema must exist (``PlacementApp(url, schema='create')`` once, before).
Each worker builds its own Placement application after the fork, so the
workers answer requests concurrently (the embedded, in-process Placement
of the tests serialises them).
"""
import sys

from gunicorn.app import base


class _Server(base.BaseApplication):
    def __init__(self, url, port, workers):
        self.url, self.port, self.workers = url, port, workers
        super().__init__()

    def load_config(self):
        self.cfg.set('bind', '127.0.0.1:%d' % self.port)
        self.cfg.set('workers', self.workers)
        self.cfg.set('worker_class', 'sync')
        self.cfg.set('loglevel', 'warning')
        self.cfg.set('timeout', 120)

    def load(self):
        from cyborg import placement_embedded
        return placement_embedded.PlacementApp(self.url, schema='create')


def main(argv):
    url, port, workers = argv[0], int(argv[1]), int(argv[2])
    _Server(url, port, workers).run()


if __name__ == '__main__':
    main(sys.argv[1:])
