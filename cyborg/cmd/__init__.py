"""Console scripts. oslo.service runs on its threading backend, chosen
before any service code is imported (no eventlet)."""
from oslo_service import backend

backend.init_backend(backend.BackendType.THREADING)
