"""Client side of the conductor RPC API (topic ``cyborg-conductor``).

Version history:

* 1.0 - initial: arq_delete_by_uuid, arq_delete_by_instance_uuid,
  arq_apply_patch, report_data, device_set_enabled, deployable_program.
* 1.1 - ping: lets an agent wait for a conductor before its first report
  (a call sent before any conductor listens is lost on RabbitMQ).

Every method is a blocking ``call``; any conductor may answer.
"""
from oslo_log import log as logging
import oslo_messaging as messaging

from cyborg.common import rpc
from cyborg.conf import CONF

TOPIC = 'cyborg-conductor'
RPC_API_VERSION = '1.1'

LOG = logging.getLogger(__name__)


class ConductorAPI:
    def __init__(self, topic=TOPIC, version_cap=RPC_API_VERSION):
        target = messaging.Target(topic=topic, version=RPC_API_VERSION)
        self.client = rpc.get_client(target, version_cap=version_cap)

    def arq_delete_by_uuid(self, context, arq_uuids):
        """Unbind (if bound) and delete the listed ARQs, all or none."""
        cctxt = self.client.prepare(version='1.0')
        return cctxt.call(context, 'arq_delete_by_uuid', arq_uuids=arq_uuids)

    def arq_delete_by_instance_uuid(self, context, instance_uuid):
        """Unbind and delete every caller-visible ARQ of an instance."""
        cctxt = self.client.prepare(version='1.0')
        return cctxt.call(context, 'arq_delete_by_instance_uuid',
                          instance_uuid=instance_uuid)

    def arq_apply_patch(self, context, patch, valid_fields):
        """Bind or unbind ARQs; ``valid_fields`` was prepared by the API."""
        cctxt = self.client.prepare(version='1.0')
        return cctxt.call(context, 'arq_apply_patch', patch=patch,
                          valid_fields=valid_fields)

    def report_data(self, context, hostname, driver_device_list):
        """An agent's full snapshot of its host's devices."""
        cctxt = self.client.prepare(version='1.0',
                                    timeout=CONF.agent.report_timeout)
        return cctxt.call(context, 'report_data', hostname=hostname,
                          driver_device_list=driver_device_list)

    def device_set_enabled(self, context, device_uuid, enabled):
        """Enable or disable a device: DB status and Placement reserved."""
        cctxt = self.client.prepare(version='1.0')
        return cctxt.call(context, 'device_set_enabled',
                          device_uuid=device_uuid, enabled=enabled)

    def deployable_program(self, context, deployable_uuid, image_uuid):
        """Program an FPGA deployable through the agent that owns it."""
        cctxt = self.client.prepare(version='1.0')
        return cctxt.call(context, 'deployable_program',
                          deployable_uuid=deployable_uuid,
                          image_uuid=image_uuid)

    def ping(self, context, timeout=5):
        """Answered by any running conductor; MessagingTimeout if none."""
        cctxt = self.client.prepare(version='1.1', timeout=timeout)
        return cctxt.call(context, 'ping')

    def wait_until_ready(self, context, stop_event, timeout=5):
        """Ping until a conductor answers or ``stop_event`` is set; returns
        whether a conductor answered."""
        warned = False
        while not stop_event.is_set():
            try:
                self.ping(context, timeout=timeout)
                return True
            except messaging.MessagingTimeout:
                if not warned:
                    LOG.warning('No conductor answered on topic %s yet; '
                                'waiting', TOPIC)
                    warned = True
        return False
