"""Load accelerator drivers by entry-point name (stevedore)."""
import stevedore

from cyborg.accelerator.drivers import exceptions

NAMESPACE = 'cyborg.accelerator.driver'


def available_drivers():
    """Names of every registered driver entry point, sorted."""
    return sorted(stevedore.ExtensionManager(NAMESPACE).names())


def load_drivers(names, conf=None, host=None):
    """Instantiate the drivers called ``names``, in that order.

    :raises InvalidDriver: a name is not a registered entry point, or its
        entry point cannot be imported.
    """
    names = list(names)
    # An entry point that fails to import is logged by stevedore and left
    # out; it is then reported like an unknown name.
    manager = stevedore.NamedExtensionManager(
        NAMESPACE, names=names, name_order=True)
    loaded = {ext.name: ext.plugin for ext in manager}
    for name in names:
        if name not in loaded:
            raise exceptions.InvalidDriver(name=name)
    return [loaded[name](host=host, conf=conf) for name in names]
