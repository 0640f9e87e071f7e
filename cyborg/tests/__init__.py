"""Tests run on the services' oslo.service backend (threading, without
eventlet), selected before any test module imports oslo.messaging."""
from cyborg.common import service

service.prepare()
