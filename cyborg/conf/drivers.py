"""Options read by the accelerator drivers (agent side).

Static groups: ``[gpu_devices]``, ``[nic_devices]``, ``[pci]``,
``[fake_driver]`` and the privsep context ``[cyborg_sys_admin]``. Dynamic
groups, registered by the drivers on the configuration object they are
given: ``[vgpu_<type>]`` for every ``[gpu_devices] enabled_vgpu_types``
entry and ``[<nic type>]`` for every ``[nic_devices] enabled_nic_types``
entry.
"""
from oslo_config import cfg
from oslo_privsep import priv_context

gpu_group = cfg.OptGroup('gpu_devices', title='GPU driver options')
gpu_opts = [
    cfg.ListOpt('enabled_vgpu_types', default=[],
                help='mdev type names (e.g. nvidia-223) offered as vGPUs on '
                     'this host. Each needs a [vgpu_<type>] group with '
                     'device_addresses.'),
    cfg.BoolOpt('filter_sriov_vfs', default=False,
                help='Skip GPU PCI functions that are SR-IOV virtual '
                     'functions. Off by default: turning it on removes '
                     'already-reported VFs (and their resource providers).'),
]

vgpu_opts = [
    cfg.ListOpt('device_addresses', default=[],
                help='PCI addresses (DDDD:BB:SS.F) of the GPUs that expose '
                     'this vGPU type. Required for every enabled type; an '
                     'address may appear under one type only.'),
]

nic_group = cfg.OptGroup('nic_devices', title='NIC driver options')
nic_opts = [
    cfg.ListOpt('enabled_nic_types', default=[],
                help='Names of the NIC option groups to read, e.g. '
                     'x710_static. Each named group holds '
                     'physical_device_mappings and function_device_mappings.'),
]

nic_type_opts = [
    cfg.ListOpt('physical_device_mappings', default=[],
                help='<physnet>:<ifname>[|<ifname>...] entries mapping PF '
                     'network interfaces to a physical network.'),
    cfg.ListOpt('function_device_mappings', default=[],
                help='<function>:<ifname>[|<ifname>...] entries mapping PF '
                     'network interfaces to a function name (trait).'),
    cfg.ListOpt('device_addresses', default=[],
                help='PCI addresses (DDDD:BB:SS.F) of the functions the '
                     'Intel NIC driver may offer. A PF address offers all '
                     'of its VFs, or the PF itself when SR-IOV is off; a '
                     'VF address offers only that VF (its PF stays the '
                     'control path). Functions not named are kept for the '
                     'host or Neutron; a PF none of whose functions is '
                     'named is not reported. The lists of every enabled '
                     'NIC group are combined; when all are empty every '
                     'known NIC function is offered. A malformed address '
                     'stops the agent at start-up.'),
]

pci_group = cfg.OptGroup('pci', title='Generic PCI passthrough driver')
pci_opts = [
    cfg.MultiStrOpt('passthrough_whitelist', default=[],
                    help='PCI functions the generic pci_driver reports. One '
                         'JSON object (or list of objects) per value, with '
                         'keys vendor_id, product_id, address (glob string '
                         'or dict of regular expressions) or devname, as '
                         "in Nova's passthrough_whitelist. Empty: nothing "
                         'is reported.'),
]

fake_group = cfg.OptGroup('fake_driver', title='Fake FPGA driver (tests)')
fake_opts = [
    cfg.IntOpt('num_devices', default=1, min=1, max=64,
               help='Fake FPGA cards the fake driver reports on this host, '
                    'each with its own control path and deployable (one '
                    'resource provider each). The first card is always '
                    'the one upstream CI and the Tempest plugin expect; '
                    'card N (N >= 1) sits on PCI bus 0x0c + N and its '
                    'deployable is named <host>_FakeDevice<N>.'),
    cfg.IntOpt('num_accelerators', default=16, min=1, max=64,
               help='Accelerators (and TEST_PCI attach handles) of each '
                    'fake card. Upstream CI and the Tempest plugin expect '
                    'the default, 16.'),
]

SYS_ADMIN_GROUP = 'cyborg_sys_admin'


def vgpu_group_name(vgpu_type):
    return 'vgpu_%s' % vgpu_type


def register_vgpu_opts(conf, vgpu_types):
    """Register ``[vgpu_<type>] device_addresses`` for ``vgpu_types``."""
    for vgpu_type in vgpu_types:
        conf.register_opts(vgpu_opts, group=vgpu_group_name(vgpu_type))


def register_nic_type_opts(conf, nic_types):
    """Register the mapping options of every ``[<nic type>]`` group."""
    for nic_type in nic_types:
        conf.register_opts(nic_type_opts, group=nic_type)


def register_fake_opts(conf):
    """Register ``[fake_driver]`` (also done by the driver itself on the
    configuration object it is given)."""
    conf.register_group(fake_group)
    conf.register_opts(fake_opts, group=fake_group)


def register_opts(conf):
    conf.register_group(gpu_group)
    conf.register_opts(gpu_opts, group=gpu_group)
    conf.register_group(nic_group)
    conf.register_opts(nic_opts, group=nic_group)
    conf.register_group(pci_group)
    conf.register_opts(pci_opts, group=pci_group)
    register_fake_opts(conf)
    conf.register_opts(priv_context.OPTS, group=SYS_ADMIN_GROUP)


def list_opts():
    return {
        gpu_group: gpu_opts,
        nic_group: nic_opts,
        pci_group: pci_opts,
        fake_group: fake_opts,
        SYS_ADMIN_GROUP: priv_context.OPTS,
    }
