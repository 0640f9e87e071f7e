"""Console scripts.

Some libraries we depend on still import eventlet, which warns about its
own deprecation at import time; cyborg runs on native threads and never
uses it, so the warning is only noise on an operator's terminal.
"""
import warnings

warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')
