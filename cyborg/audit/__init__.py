"""``cyborg-manage placement audit``: the database against Placement.

Read top to bottom, one module per step:

* ``expected`` -- what the database says Placement should hold, per host:
  one provider per deployable (its inventory and traits, as the inventory
  flow writes them) and, for each instance with bound ARQs, the amounts it
  should hold on each device provider;
* ``found`` -- what Placement holds, read with a bounded number of calls
  (see :data:`cyborg.audit.found.CALLS_PER_HOST` and
  :data:`~cyborg.audit.found.CALLS_PER_PROVIDER`);
* ``compare`` -- every difference as a :class:`~cyborg.audit.compare.Drift`
  row (kind, provider, expected, found, what ``--fix`` would do);
* ``repair`` -- ``--fix``: repairs what cyborg owns (its providers, their
  inventory and traits, the provider uuid stored in the database), never
  an allocation, which belongs to Nova and is only reported;
* ``render`` -- the table and JSON outputs and the terminal progress line.

The audit only reads the database; ``--fix`` writes to the database only
the ``rp_uuid`` of a deployable.
"""
