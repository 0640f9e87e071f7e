"""FPGA programming before a bind (internals.md §5.6, decision I10).

For the FPGA deployable of a bind whose profile group names

* ``accel:bitstream_id``: that Glance image is programmed (unless the
  deployable already holds it, decided at reserve time);
* ``accel:function_id``: Glance is asked for the images carrying the
  property ``accel:function_id = <id>`` (with the caller's token, Glance
  found through ``[glance] endpoint_override`` or the request's service
  catalog). Exactly one image is needed; none or several fail the bind
  with that reason (in the ARQs' ``state_reason``). The image is
  programmed through the owning agent, the same call as for a bitstream
  (``fpga_program``, which downloads the image on the compute host). Then
  every ``CUSTOM_FPGA_FUNCTION_ID*`` trait of the deployable's Placement
  provider is replaced by the function's trait (one generation-guarded
  write), so Placement advertises what the card now runs.

* ``accel:bitstream_id``: Glance is asked for that image's metadata
  first (``GET /v2/images/<id>``, same token and endpoint); an unknown or
  unreadable image fails the bind before the card is touched. After
  programming, the function trait comes from the image's
  ``accel:function_id`` property (step 4.3: the group's value, else the
  image's). An image without that property leaves the provider with no
  ``CUSTOM_FPGA_FUNCTION_ID*`` trait: the function it advertised before
  is gone from the card, and nothing says what replaced it.

The deployable's ``bitstream_id`` is recorded last: if the trait update
fails the bind fails, and the next bind programs the card again rather
than trusting a half-finished one. The agent's ``False`` is a failure.

The function trait is ``CUSTOM_FPGA_FUNCTION_ID_<DRIVER>_<FUNCTION>``,
upper-cased, every character Placement refuses in a trait name replaced
by ``_`` (upstream wrote ``-`` as ``_-``, an invalid name, I10); for the
Intel driver this is the name its discovery reports for a loaded AFU.
"""
import logging
import re

from cyborg.clients import glance
from cyborg.clients import placement as placement_client
from cyborg.conductor.bind import agent as bind_agent
from cyborg.db.queries import binding as bind_db

LOG = logging.getLogger(__name__)

FUNCTION_TRAIT_PREFIX = 'CUSTOM_FPGA_FUNCTION_ID'
_BAD_TRAIT_CHARS = re.compile('[^A-Z0-9_]')


def function_trait(driver_name, function_id):
    name = '_'.join([FUNCTION_TRAIT_PREFIX, str(driver_name or ''),
                     str(function_id)]).upper()
    return _BAD_TRAIT_CHARS.sub('_', name)


def _glance(context):
    return glance.GlanceClient(context)


def _placement():
    return placement_client.PlacementClient()


def image_for(context, work):
    """``(image id, function id)`` to program for ``work`` (a ``Work``
    dict): the image found by the group's function id, or the group's
    bitstream image with the ``accel:function_id`` of its metadata (None
    when it has none)."""
    if work['function_id']:
        image = _glance(context).find_one(bind_db.FUNCTION_KEY,
                                          work['function_id'])
        LOG.info('Function %s of ARQ %s is image %s', work['function_id'],
                 work['uuid'], image.get('id'))
        return image['id'], work['function_id']
    image = _glance(context).get_image(work['bitstream_id'])
    function_id = image.get(bind_db.FUNCTION_KEY)
    LOG.info('Bitstream %s of ARQ %s implements function %s',
             work['bitstream_id'], work['uuid'], function_id)
    return work['bitstream_id'], function_id


def program(context, work):
    """Program the FPGA behind ``work`` (a ``Work``); raises on failure."""
    item = work.to_dict()
    image_id, function_id = image_for(context, item)
    bind_agent.program(context, dict(item, bitstream_id=image_id))
    trait = None
    if function_id not in (None, ''):
        trait = function_trait(work.driver_name, function_id)
    _placement().replace_prefixed_traits(
        work.rp_uuid, FUNCTION_TRAIT_PREFIX, trait)
    LOG.info('Provider %s now has function trait %s', work.rp_uuid,
             trait or '(none: the image names no function)')
    bind_db.run(context, bind_db.record_bitstream, work.deployable_id,
                image_id)
    return image_id
