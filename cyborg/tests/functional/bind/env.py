"""The in-process service for the bind tests: database, conductor on the
fake transport, API app (noauth), recording Nova and, when asked, an
agent RPC server whose endpoint is built on ``cyborg.agent.preparation``
over a temporary sysfs tree.

Identity headers follow the gabbi fixtures: ``X-Service-Roles: service``
stands for Nova's service token.
"""
import json
import os
import threading
import time
import uuid

import oslo_messaging as messaging
import sqlalchemy as sa
import webob

from cyborg import policies
from cyborg.accelerator.drivers import base
from cyborg.agent import preparation
from cyborg.common import rpc
from cyborg.conf import CONF
from cyborg.db import models

PROJECT = '5d44c2d34f7a4560a7b098dc7247d8c4'
# Nova calls with the user's token (and its service token); the token
# reaches Glance when a bind programs an FPGA (internals.md §5.6).
SERVICE = {'X-User-Id': 'nova', 'X-Project-Id': PROJECT,
           'X-Roles': 'admin,member,reader', 'X-Service-Roles': 'service',
           'X-Auth-Token': 'nova-user-token'}


def init_conf():
    if not getattr(init_conf, 'done', False):
        CONF([], project='cyborg', default_config_files=[],
             default_config_dirs=[])
        init_conf.done = True


def api_call(app, method, path, body=None, headers=None):
    req = webob.Request.blank(path, method=method,
                              headers=dict(headers or SERVICE))
    if body is not None:
        req.body = json.dumps(body).encode()
        req.content_type = 'application/json'
    req.accept = 'application/json'
    return req.get_response(app)


def clear_api_conf():
    for name in ('auth_strategy', 'public_endpoint'):
        CONF.clear_override(name, group='api')
    CONF.clear_override('enforce_new_defaults', group='oslo_policy')
    policies.reset()


def add_device(session, hostname='compute-1', handles=16,
               attach_type='TEST_PCI', status='enabled', dev_type='FPGA',
               driver_name='fake', asked_type='nvidia-222', agent=None):
    """One device, one deployable (a new provider uuid), ``handles``
    attach handles; an ``agents`` row for ``agent`` if given. Returns the
    provider uuid."""
    tag = uuid.uuid4().hex[:8]
    device = models.Device(uuid=str(uuid.uuid4()), type=dev_type,
                           vendor='abcd', model='m', hostname=hostname,
                           status=status)
    session.add(device)
    session.flush()
    address = {'domain': '0000', 'bus': '0c', 'device': '00',
               'function': '0'}
    cpid = models.ControlpathID(uuid=str(uuid.uuid4()), device_id=device.id,
                                cpid_type='PCI',
                                cpid_info=json.dumps(address))
    rp_uuid = str(uuid.uuid4())
    dep = models.Deployable(uuid=str(uuid.uuid4()), name='%s_%s' % (
        hostname, tag), num_accelerators=handles, device_id=device.id,
        rp_uuid=rp_uuid, driver_name=driver_name)
    session.add_all([cpid, dep])
    session.flush()
    for n in range(handles):
        info = dict(address, device='%02x' % (n // 8), function=str(n % 8))
        if attach_type == 'MDEV':
            info = dict(address, asked_type=asked_type,
                        vgpu_mark='%s_%d' % (asked_type, n))
        session.add(models.AttachHandle(
            uuid=str(uuid.uuid4()), deployable_id=dep.id, cpid_id=cpid.id,
            in_use=False, attach_type=attach_type,
            attach_info=json.dumps(info, sort_keys=True)))
    if agent is not None and not session.scalars(sa.select(
            models.Agent).where(models.Agent.host == agent)).first():
        session.add(models.Agent(host=agent, compute_node_name=hostname))
    session.commit()
    return rp_uuid


class Client:
    """Nova's side of the bind: the calls of boot-call-sequence.json."""

    def __init__(self, app):
        self.app = app
        self.calls = []

    def __call__(self, method, path, body=None, headers=None):
        resp = api_call(self.app, method, path, body, headers)
        self.calls.append((method, path, resp.status_int))
        return resp

    def profile(self, name, groups):
        resp = self('POST', '/v2/device_profiles',
                    [{'name': name, 'groups': groups}])
        assert resp.status_int == 201, resp.text

    def create_arqs(self, name):
        resp = self('POST', '/v2/accelerator_requests',
                    {'device_profile_name': name})
        assert resp.status_int == 201, resp.text
        return resp.json['arqs']

    def bind(self, arqs, instance, providers, hostname='compute-1'):
        """``providers``: rp uuid per device_profile_group_id."""
        body = {a['uuid']: [
            {'path': '/hostname', 'op': 'add', 'value': hostname},
            {'path': '/device_rp_uuid', 'op': 'add',
             'value': providers[a['device_profile_group_id']]},
            {'path': '/instance_uuid', 'op': 'add', 'value': instance}]
            for a in arqs}
        return self('PATCH', '/v2/accelerator_requests', body)

    def arqs_of(self, instance, resolved=False):
        query = '?instance=%s' % instance + (
            '&bind_state=resolved' if resolved else '')
        return self('GET', '/v2/accelerator_requests' + query)

    def wait_resolved(self, instance, timeout=15.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            resp = self.arqs_of(instance, resolved=True)
            if resp.status_int == 200:
                return resp.json['arqs']
            assert resp.status_int == 423, resp.text
            time.sleep(0.05)
        raise AssertionError('ARQs of %s not resolved' % instance)


def handles_in_use(session):
    return session.scalar(sa.select(sa.func.count()).select_from(
        models.AttachHandle).where(models.AttachHandle.in_use.is_(True)))


def arq_states(session):
    return dict(session.execute(sa.select(models.ExtArq.uuid,
                                          models.ExtArq.state)).all())


def _fake_fetch(context, image_uuid, path):
    with open(path, 'wb') as fh:
        fh.write(b'bits of %s' % image_uuid.encode())


class _RecordingFPGA(base.Programmable):
    """An FPGA driver that keeps what it was asked to program."""

    def __init__(self, endpoint):
        self.endpoint = endpoint

    def program(self, controlpath_id, image_path):
        with open(image_path, 'rb') as fh:
            self.endpoint.images.append(fh.read())
        return self.endpoint.program_ok

    def update(self, controlpath_id, image_path):
        return self.program(controlpath_id, image_path)


class FakeAgentEndpoint:
    """The agent's three bind RPCs over ``preparation``, with a sysfs
    tree under ``root`` and an optional delay (a slow device).

    ``fpga_program`` runs ``preparation.program`` (uuid check, temporary
    file, driver, clean-up) with a recording driver; the image comes from
    ``fetch``: made-up bytes by default, ``preparation.fetch_image`` (real
    Glance with the caller's token and catalog) when ``glance`` is true.
    ``images`` holds the bytes each programming saw."""

    target = messaging.Target(version='1.0')

    def __init__(self, root, delay=0.0, program_ok=True, glance=False):
        from cyborg.accelerator.drivers import host
        self.host_view = host.HostView(root=root, privileged=False)
        self.root, self.delay, self.program_ok = root, delay, program_ok
        self.programmed, self.mdevs, self.removed = [], [], []
        self.images = []
        self.fetch = preparation.fetch_image if glance else _fake_fetch
        self.lock = threading.Lock()

    def create_vgpu_mdev(self, context, pci_addr, asked_type, ah_uuid):
        time.sleep(self.delay)
        self._make_type_dir(pci_addr, asked_type)
        if preparation.create_vgpu_mdev(self.host_view, pci_addr,
                                        asked_type, ah_uuid):
            with self.lock:
                self.mdevs.append(ah_uuid)

    def remove_vgpu_mdev(self, context, pci_addr, asked_type, ah_uuid):
        preparation.remove_vgpu_mdev(self.host_view, pci_addr, asked_type,
                                     ah_uuid)
        with self.lock:
            self.removed.append(ah_uuid)

    def fpga_program(self, context, controlpath_id, bitstream_uuid,
                     driver_name):
        time.sleep(self.delay)
        with self.lock:
            self.programmed.append((bitstream_uuid, driver_name))
            return preparation.program(context, _RecordingFPGA(self),
                                       controlpath_id, bitstream_uuid,
                                       fetch=self.fetch)

    def _make_type_dir(self, pci_addr, asked_type):
        path = os.path.join(self.root, 'sys/class/mdev_bus', pci_addr,
                            'mdev_supported_types', asked_type)
        os.makedirs(path, exist_ok=True)
        open(os.path.join(path, 'create'), 'a').close()

    def created(self, pci_addr, asked_type):
        path = os.path.join(self.root, 'sys/class/mdev_bus', pci_addr,
                            'mdev_supported_types', asked_type, 'create')
        with open(path) as fh:
            return fh.read()


def start_agent(endpoint, host='agent-1'):
    target = messaging.Target(topic='cyborg-agent', server=host)
    server = rpc.get_server(target, [endpoint])
    server.start()
    return server
