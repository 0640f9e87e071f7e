"""Small builders for the common shape of a driver device: a PCI control
path and deployables whose attach handles are PCI functions."""
from cyborg.accelerator.drivers import base
from cyborg.accelerator.drivers import pci


def pci_deployable(name, driver_name, attributes, addresses,
                   num_accelerators=1):
    """A deployable with one PCI attach handle per address."""
    return base.DriverDeployable(
        name=name,
        num_accelerators=num_accelerators,
        driver_name=driver_name,
        attribute_list=list(attributes),
        attach_handle_list=[
            base.DriverAttachHandle(attach_type='PCI',
                                    attach_info=pci.pci_json(a))
            for a in addresses])


def pci_device(dev_type, vendor, model, std_board_info, vendor_board_info,
               address, deployables, stub=False):
    """A device whose control path is the PCI function ``address``."""
    return base.DriverDevice(
        type=dev_type,
        vendor=vendor,
        model=model,
        std_board_info=std_board_info,
        vendor_board_info=vendor_board_info,
        controlpath_id=base.DriverControlPathID(
            cpid_type='PCI', cpid_info=pci.pci_json(address)),
        deployable_list=list(deployables),
        stub=stub)
