"""Driver-side object model and the interfaces every driver implements.

``discover()`` returns a list of :class:`DriverDevice` trees (drivers.md §2).
The trees are plain dataclasses; ``to_dict()``/``from_dict()`` turn them into
JSON-able dicts so the agent can send them over RPC and the conductor can
rebuild them.
"""
import abc
import dataclasses


@dataclasses.dataclass
class DriverAttribute:
    key: str
    value: str

    def to_dict(self):
        return {'key': self.key, 'value': self.value}

    @classmethod
    def from_dict(cls, d):
        return cls(key=d['key'], value=d['value'])


@dataclasses.dataclass
class DriverAttachHandle:
    attach_type: str
    attach_info: str
    in_use: bool = False

    def to_dict(self):
        return {'attach_type': self.attach_type,
                'attach_info': self.attach_info,
                'in_use': self.in_use}

    @classmethod
    def from_dict(cls, d):
        return cls(attach_type=d['attach_type'],
                   attach_info=d['attach_info'],
                   in_use=bool(d.get('in_use', False)))


@dataclasses.dataclass
class DriverControlPathID:
    cpid_type: str
    cpid_info: str

    def to_dict(self):
        return {'cpid_type': self.cpid_type, 'cpid_info': self.cpid_info}

    @classmethod
    def from_dict(cls, d):
        return cls(cpid_type=d['cpid_type'], cpid_info=d['cpid_info'])


@dataclasses.dataclass
class DriverDeployable:
    name: str
    num_accelerators: int
    driver_name: str | None
    attribute_list: list[DriverAttribute] = dataclasses.field(
        default_factory=list)
    attach_handle_list: list[DriverAttachHandle] = dataclasses.field(
        default_factory=list)

    def to_dict(self):
        return {
            'name': self.name,
            'num_accelerators': self.num_accelerators,
            'driver_name': self.driver_name,
            'attribute_list': [a.to_dict() for a in self.attribute_list],
            'attach_handle_list': [h.to_dict()
                                   for h in self.attach_handle_list],
        }

    @classmethod
    def from_dict(cls, d):
        return cls(
            name=d['name'],
            num_accelerators=int(d['num_accelerators']),
            driver_name=d.get('driver_name'),
            attribute_list=[DriverAttribute.from_dict(a)
                            for a in d.get('attribute_list') or []],
            attach_handle_list=[DriverAttachHandle.from_dict(h)
                                for h in d.get('attach_handle_list') or []])


@dataclasses.dataclass
class DriverDevice:
    type: str
    vendor: str
    model: str
    std_board_info: str | None
    vendor_board_info: str | None
    controlpath_id: DriverControlPathID
    deployable_list: list[DriverDeployable] = dataclasses.field(
        default_factory=list)
    stub: bool = False

    def to_dict(self):
        return {
            'type': self.type,
            'vendor': self.vendor,
            'model': self.model,
            'std_board_info': self.std_board_info,
            'vendor_board_info': self.vendor_board_info,
            'stub': self.stub,
            'controlpath_id': self.controlpath_id.to_dict(),
            'deployable_list': [d.to_dict() for d in self.deployable_list],
        }

    @classmethod
    def from_dict(cls, d):
        return cls(
            type=d['type'],
            vendor=d['vendor'],
            model=d['model'],
            std_board_info=d.get('std_board_info'),
            vendor_board_info=d.get('vendor_board_info'),
            controlpath_id=DriverControlPathID.from_dict(d['controlpath_id']),
            deployable_list=[DriverDeployable.from_dict(x)
                             for x in d.get('deployable_list') or []],
            stub=bool(d.get('stub', False)))


def attributes(rc, traits, rc_first=True):
    """Attribute list ``rc`` + ``trait0..traitN`` in the usual order."""
    rc_attr = [DriverAttribute('rc', rc)]
    trait_attrs = [DriverAttribute('trait%d' % i, t)
                   for i, t in enumerate(traits)]
    if rc_first:
        return rc_attr + trait_attrs
    return trait_attrs + rc_attr


class AcceleratorDriver(abc.ABC):
    """One vendor family of accelerators.

    :param host: a :class:`cyborg.accelerator.drivers.host.HostView`; the
        real host when omitted.
    :param conf: an oslo.config ``ConfigOpts``; ``cyborg.conf.CONF`` when
        omitted.

    Drivers read the host only through ``host`` and options only through
    ``conf``; they never touch the database, RPC or Placement.
    """

    def __init__(self, host=None, conf=None):
        if host is None:
            from cyborg.accelerator.drivers import host as host_mod
            host = host_mod.HostView()
        if conf is None:
            from cyborg import conf as cyborg_conf
            conf = cyborg_conf.CONF
        self.host = host
        self.conf = conf

    @property
    def host_name(self):
        """``[DEFAULT] host``: the host part of most deployable names."""
        return self.conf.host

    @abc.abstractmethod
    def discover(self):
        """Devices present on this host; no side effects.

        :returns: list of :class:`DriverDevice`
        """

    def get_stats(self):
        return {}


class Programmable(abc.ABC):
    """Optional capability of FPGA drivers."""

    @abc.abstractmethod
    def program(self, controlpath_id, image_path):
        """Load ``image_path`` onto the card behind ``controlpath_id``.

        :param controlpath_id: mapping with ``cpid_type`` and ``cpid_info``
            (a dict, or the JSON text of one).
        :returns: True on success, False otherwise.
        """
