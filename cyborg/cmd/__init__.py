"""Console scripts.

Every service process runs on oslo.service's threading backend; it is
selected here, before any console script imports oslo.messaging (see
``cyborg.common.service``).
"""
from cyborg.common import service

service.prepare()
