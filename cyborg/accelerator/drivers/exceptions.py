"""Errors raised by the accelerator drivers and their helpers.

They share the message templating of every cyborg error; a driver error
that reaches the conductor through the agent's RPC is a server-side error.
"""
from cyborg.common import exception


class DriverError(exception.ServerError):
    msg_fmt = 'An unknown driver error occurred.'


class InvalidDriver(DriverError):
    msg_fmt = 'Found an invalid driver: %(name)s'


class InvalidType(DriverError):
    msg_fmt = ('Unsupported control path type %(cpid_type)s; '
               'only PCI is supported.')


class InvalidvGPUConfig(DriverError):
    msg_fmt = 'InvalidvGPUConfig: %(reason)s'


class InvalidPCIAddress(DriverError):
    msg_fmt = 'Incorrect PCI address: %(address)s'


class PciConfigInvalidWhitelist(DriverError):
    msg_fmt = 'Invalid PCI devices Whitelist config: %(reason)s'


class InvalidNICConfig(DriverError, ValueError):
    msg_fmt = ('Invalid NIC configuration in [%(group)s] %(option)s: '
               '%(reason)s')


class AttachHandleUUIDNeeded(DriverError):
    msg_fmt = ('An attach handle uuid is needed to %(action)s a mediated '
               'device.')


class InvalidMdevRequest(DriverError):
    msg_fmt = 'Invalid mediated device request: %(reason)s'
