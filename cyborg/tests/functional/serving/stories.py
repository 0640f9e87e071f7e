"""What every served deployment must answer: the gabbi story in
``gabbits/`` and openstacksdk's accelerator proxy, against a live URL."""
import os
import unittest

from gabbi import driver
import openstack

GABBITS = os.path.join(os.path.dirname(__file__), 'gabbits')


def run_gabbi(url, cacert=None):
    """Run the serving story against ``url``; returns the problems."""
    tests = driver.build_tests(GABBITS, unittest.TestLoader(), url=url,
                               test_loader_name=__name__,
                               cert_validate=cacert is not None)
    if cacert is not None:
        os.environ['SSL_CERT_FILE'] = cacert
    result = unittest.TestResult()
    tests.run(result)
    problems = result.failures + result.errors
    assert result.testsRun >= 6, result.testsRun
    return '\n\n'.join('%s\n%s' % (test.id(), text)
                       for test, text in problems)


def run_sdk(url, cacert=None):
    """A device profile and its ARQ through openstacksdk (no conductor
    runs: nothing that needs one); returns the ARQ's state."""
    sdk = openstack.connection.Connection(
        auth_type='none', accelerator_endpoint_override=url + '/v2',
        accelerator_api_version='2', cacert=cacert,
        verify=cacert if cacert else True)
    name = 'sdk-%s' % os.urandom(4).hex()
    profile = sdk.accelerator.create_device_profile(
        name=name, groups=[{'resources:FPGA': '1'}])
    arq = sdk.accelerator.create_accelerator_request(
        device_profile_name=name)
    shown = sdk.accelerator.get_accelerator_request(arq.id)
    assert sdk.accelerator.get_device_profile(profile.id).name == name
    return shown.state
