"""The bind flow, top to bottom.

* ``flow.py``: a bind PATCH: reserve (claim the handles, one transaction)
  -> prepare on the agent -> resolve (commit Bound or give the handles
  back) -> the Nova events.
* ``agent.py``: the agent-side preparation a bind needs (mdev create,
  FPGA programming), over the agent's RPC API.
* ``unbind.py``: unbind and delete (by ARQ or by instance).
* ``deadlines.py``: binds that overran ``bind_timeout`` or whose
  conductor died are failed with a recorded reason.

The SQL of the flow lives in :mod:`cyborg.db.queries.binding`.
"""
