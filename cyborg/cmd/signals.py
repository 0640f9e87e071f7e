"""Waiting for Ctrl-C or SIGTERM in a console script's main thread.

The handler only flips a flag: taking a lock inside a signal handler (as
``threading.Event.set`` does) can deadlock with the main thread that is
waiting on the same lock.
"""
import signal
import time


def wait_for_stop(poll=0.5):
    stop = []

    def _handler(signum, frame):
        stop.append(signum)

    previous = {sig: signal.signal(sig, _handler)
                for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stop:
            time.sleep(poll)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return stop[0]
