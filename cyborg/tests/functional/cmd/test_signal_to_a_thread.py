"""A service process stops on SIGINT or SIGTERM even when the kernel hands
the signal to a thread other than the main one (Python runs the handler in
the main thread only: a main thread blocked in one endless wait never ran
it, and a standalone Ctrl-C hung)."""
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent('''
    import signal, sys, threading, time
    from cyborg.common import service
    from cyborg.conf import CONF
    CONF([], project='cyborg', default_config_files=[])

    class Part:
        def start(self):
            def deliver():
                time.sleep(0.5)
                # to this thread, not the main one
                signal.pthread_kill(threading.get_ident(),
                                    getattr(signal, sys.argv[1]))
            threading.Thread(target=deliver).start()

        def stop(self):
            print('stopped', flush=True)

    sys.exit(service.run_in_process(CONF, service.Managed(Part)) or 0)
''')


@pytest.mark.parametrize('signame', ['SIGINT', 'SIGTERM'])
def test_a_signal_taken_by_another_thread_stops_the_service(signame):
    proc = subprocess.run([sys.executable, '-c', SCRIPT, signame],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'stopped' in proc.stdout
