"""The inventory flow, top to bottom.

* ``report.py``: an agent's report arrives -> parsed -> diffed against the
  DB in one transaction -> committed -> Placement brought in step.
* ``diff.py``: the DB side of the diff (devices, deployables, attributes,
  attach handles).
* ``removal.py``: deferred removal of a deployable still in use.
* ``placement.py``: the Placement side: one provider per deployable, its
  inventory and traits.
* ``reconcile.py``: the periodic repair of drift between the DB and
  Placement.
"""
