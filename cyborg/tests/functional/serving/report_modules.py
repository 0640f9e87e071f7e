"""Run a console script's ``main`` while every process of it (the
launcher's master and each forked worker) writes, every half second, the
eventlet modules in its ``sys.modules`` to ``OUT_DIR/<pid>``.

Usage: ``python -m cyborg.tests.functional.serving.report_modules OUT_DIR
MODULE [ARGS...]``
"""
import importlib
import json
import os
import sys
import threading


def _reporter(out_dir):
    def report():
        found = sorted(m for m in list(sys.modules)
                       if m == 'eventlet' or m.startswith('eventlet.'))
        path = os.path.join(out_dir, str(os.getpid()))
        with open(path + '.tmp', 'w') as f:
            json.dump(found, f)
        os.replace(path + '.tmp', path)

    def loop():
        stop = threading.Event()
        while not stop.wait(0.5):
            report()

    def arm():
        threading.Thread(target=loop, daemon=True).start()

    return arm


def main():
    out_dir, module = sys.argv[1], sys.argv[2]
    arm = _reporter(out_dir)
    os.register_at_fork(after_in_child=arm)
    arm()
    sys.argv = [module] + sys.argv[3:]
    return importlib.import_module(module).main()


if __name__ == '__main__':
    sys.exit(main())
