"""Fill an upstream Cyborg 17.0.0 database through upstream's own code.

Run with the Python of a virtual environment holding
``openstack-cyborg==17.0.0`` (see make-upstream-dump.sh), after upstream's
``cyborg-dbsync upgrade`` made the schema::

    python upstream_populate.py --config-file cyborg.conf MANIFEST.json

Every row is written by upstream code paths: the agent reports go through
upstream's ``ConductorManager.report_data`` (devices, control paths,
deployables, attributes, attach handles and the deployables' provider
uuids), device profiles and ARQs through the upstream objects the API and
conductor use (``ExtARQ.apply_patch`` binds and unbinds as a PATCH does).
Only the two services upstream talks to over HTTP are stand-ins: a
recording Placement (it answers as Placement would and keeps the providers
upstream asked for) and a recording Nova notifier. MANIFEST.json receives
what the project's test needs to replay the deployment: the providers,
the agent reports as upstream's agent sent them, and the ARQ uuids by
state.
"""
import json
import sys
import uuid

from cyborg import context as cy_context
from cyborg import objects
from cyborg.accelerator.drivers import fake
from cyborg.common import nova_client
from cyborg.common import placement_client
from cyborg.common import service
from cyborg.conductor import manager
from cyborg.conf import CONF
from cyborg.objects.driver_objects import driver_attach_handle
from cyborg.objects.driver_objects import driver_attribute
from cyborg.objects.driver_objects import driver_controlpath_id
from cyborg.objects.driver_objects import driver_deployable
from cyborg.objects.driver_objects import driver_device

HOSTS = ('compute-01', 'compute-02')
PROJECT = 'b8a7c5f4e3d24c1b9a0f6e5d4c3b2a19'
USER = 'f1e2d3c4b5a64798a1b2c3d4e5f60718'


def compute_node_uuid(host):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, 'upstream17/' + host))


class RecordingPlacement:
    """Answers upstream's PlacementClient calls like Placement would, and
    records the providers, inventories and traits."""

    def __init__(self):
        self.providers = {}

    def get(self, url, **kwargs):
        name = url.split('name=', 1)[1]
        found = [{'uuid': compute_node_uuid(name), 'name': name}] \
            if name in HOSTS else []
        return _Json({'resource_providers': found})

    def ensure_resource_classes(self, context, names):
        pass

    def ensure_resource_provider(self, context, rp_uuid, name=None,
                                 parent_provider_uuid=None):
        self.providers.setdefault(rp_uuid, {
            'uuid': rp_uuid, 'name': name, 'parent': parent_provider_uuid,
            'inventories': {}, 'traits': []})
        return rp_uuid

    def update_inventory(self, rp_uuid, inventories):
        self.providers[rp_uuid]['inventories'] = inventories

    def add_traits_to_rp(self, rp_uuid, traits):
        current = self.providers[rp_uuid]['traits']
        current.extend(t for t in traits if t not in current)

    def get_providers_in_tree(self, context, rp_uuid):
        return [p for p in self.providers.values()
                if rp_uuid in (p['uuid'], p['parent'])]

    def delete_provider(self, rp_uuid):
        self.providers.pop(rp_uuid, None)


class _Json:
    def __init__(self, body):
        self.body = body

    def json(self):
        return self.body


class RecordingNova:
    sent = []

    def __init__(self, *args, **kwargs):
        pass

    def notify_binding(self, instance_uuid, arq_bind_statuses):
        self.sent.append({'instance_uuid': instance_uuid,
                          'statuses': [list(s) for s in arq_bind_statuses]})


def gpu_device(host, bus, handles):
    """A PCI GPU as an upstream driver reports it."""
    slot = '{"domain":"0000","bus":"%s","device":"00","function":"0"}' % bus
    dev = driver_device.DriverDevice(
        type='GPU', vendor='10de', model='1eb8',
        std_board_info='{"controller": "3D controller", '
                       '"product_id": "1eb8"}',
        vendor_board_info='{"vendor_info": "gpu_vb_info"}', stub=False)
    dev.controlpath_id = driver_controlpath_id.DriverControlPathID(
        cpid_type='PCI', cpid_info=slot)
    dep = driver_deployable.DriverDeployable(
        name='%s_0000:%s:00.0' % (host, bus), num_accelerators=handles,
        driver_name='NVIDIA')
    dep.attribute_list = [
        driver_attribute.DriverAttribute(key='rc', value='PGPU'),
        driver_attribute.DriverAttribute(key='trait0',
                                         value='CUSTOM_NVIDIA_1EB8'),
        driver_attribute.DriverAttribute(key='trait1',
                                         value='OWNER_CYBORG')]
    dep.attach_handle_list = [
        driver_attach_handle.DriverAttachHandle(
            attach_type='PCI', in_use=False,
            attach_info='{"bus": "%s", "device": "00", "domain": "0000", '
                        '"function": "%d"}' % (bus, fn))
        for fn in range(handles)]
    dev.deployable_list = [dep]
    return dev


def report(ctx, conductor, host, devices):
    """What upstream's agent sends (primitives) and the conductor's diff."""
    sent = [d.obj_to_primitive() for d in devices]
    conductor.report_data(
        ctx, host, [driver_device.DriverDevice.obj_from_primitive(p)
                    for p in sent])
    return sent


def make_profile(ctx, name, groups, description=None):
    dp = objects.DeviceProfile(ctx, name=name, groups=groups,
                               description=description)
    dp.create(ctx)
    return dp


def make_arq(ctx, profile, group_id=0):
    arq = objects.ARQ(ctx, device_profile_name=profile.name,
                      device_profile_group_id=group_id,
                      project_id=ctx.project_id)
    extarq = objects.ExtARQ(ctx, arq=arq)
    extarq.create(ctx, profile.id)
    return extarq.arq.uuid


def patch(ctx, arq_uuid, host, rp_uuid, instance):
    if rp_uuid is None:
        objects.ExtARQ.apply_patch(
            ctx, {arq_uuid: [{'op': 'remove', 'path': '/hostname'}]}, {})
        return
    fields = {arq_uuid: {'hostname': host, 'device_rp_uuid': rp_uuid,
                         'instance_uuid': instance,
                         'project_id': ctx.project_id}}
    objects.ExtARQ.apply_patch(
        ctx, {arq_uuid: [{'op': 'add', 'path': '/hostname',
                          'value': host}]}, fields)


def set_state(ctx, arq_uuid, *states, **fields):
    extarq = objects.ExtARQ.get(ctx, arq_uuid)
    for name, value in fields.items():
        setattr(extarq.arq, name, value)
    for state in states:
        extarq.update_check_state(ctx, state)


def main(argv):
    config_file, manifest_path = argv[1], argv[2]
    service.prepare_service(['upstream_populate', '--config-file',
                             config_file])
    recorder = RecordingPlacement()
    placement_client.PlacementClient = lambda *a, **k: recorder
    nova_client.NovaAPI = RecordingNova
    ctx = cy_context.RequestContext(user_id=USER, project_id=PROJECT,
                                    is_admin=True)
    conductor = manager.ConductorManager('cyborg-conductor', 'upgrade-gen')

    reports = {}
    CONF.set_override('host', 'compute-01')
    reports['compute-01'] = report(
        ctx, conductor, 'compute-01',
        fake.FakeDriver().discover() + [gpu_device('compute-01', '3b', 2)])
    reports['compute-02'] = report(
        ctx, conductor, 'compute-02', [gpu_device('compute-02', '5e', 4)])
    rp = {p['name']: p['uuid'] for p in recorder.providers.values()}
    fake_rp = rp['compute-01_FakeDevice']
    gpu_rp = rp['compute-02_0000:5e:00.0']

    fpga = make_profile(ctx, 'fpga-dp', [{
        'resources:FPGA': '1', 'trait:CUSTOM_FAKE_DEVICE': 'required'}],
        'One fake FPGA function')
    gpu = make_profile(ctx, 'gpu-dp', [
        {'resources:PGPU': '1', 'trait:CUSTOM_NVIDIA_1EB8': 'required'},
        {'resources:PGPU': '1'}])
    make_profile(ctx, 'unused-dp', [{'resources:FPGA': '2'}], '')

    arqs = {}
    arqs['Initial'] = make_arq(ctx, fpga)
    arqs['Bound'] = make_arq(ctx, fpga)
    patch(ctx, arqs['Bound'], 'compute-01', fake_rp,
          '2b4ab5fc-8a46-4d6c-a3e4-1d2f3e4a5b60')
    arqs['BoundGpu'] = make_arq(ctx, gpu, 1)
    patch(ctx, arqs['BoundGpu'], 'compute-02', gpu_rp,
          '6c7d8e9f-0a1b-4c2d-8e3f-4a5b6c7d8e90')
    arqs['Unbound'] = make_arq(ctx, gpu)
    patch(ctx, arqs['Unbound'], 'compute-02', gpu_rp,
          '0f1e2d3c-4b5a-4697-8877-665544332211')
    patch(ctx, arqs['Unbound'], None, None, None)
    arqs['BindStarted'] = make_arq(ctx, fpga)
    set_state(ctx, arqs['BindStarted'], 'BindStarted',
              hostname='compute-01', device_rp_uuid=fake_rp,
              instance_uuid='9e8d7c6b-5a49-4382-9716-a5b4c3d2e1f0')
    arqs['BindFailed'] = make_arq(ctx, fpga)
    set_state(ctx, arqs['BindFailed'], 'BindStarted', 'BindFailed',
              hostname='compute-01', device_rp_uuid=fake_rp,
              instance_uuid='1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d')
    arqs['Deleting'] = make_arq(ctx, gpu)
    set_state(ctx, arqs['Deleting'], 'Deleting')

    manifest = {
        'upstream': 'openstack-cyborg==17.0.0',
        'project_id': PROJECT,
        'compute_nodes': {h: compute_node_uuid(h) for h in HOSTS},
        'providers': sorted(recorder.providers.values(),
                            key=lambda p: p['name']),
        'reports': reports,
        'arqs': arqs,
        'nova_notifications': RecordingNova.sent,
    }
    with open(manifest_path, 'w') as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write('\n')


if __name__ == '__main__':
    main(sys.argv)
