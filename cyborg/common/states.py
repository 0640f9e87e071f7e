"""ARQ state names and the groupings the code relies on (api.md §9.2).

Only names and sets live here; the transition table (allowed sources per
target) is ``cyborg.common.state_machine``, applied only by the conductor.
"""

INITIAL = 'Initial'
BIND_STARTED = 'BindStarted'
BOUND = 'Bound'
UNBOUND = 'Unbound'
BIND_FAILED = 'BindFailed'
DELETING = 'Deleting'
UNBIND_FAILED = 'UnbindFailed'

ALL = (INITIAL, BIND_STARTED, BOUND, UNBOUND, BIND_FAILED, DELETING,
       UNBIND_FAILED)

# States from which a bind may start.
BINDABLE = (INITIAL, UNBOUND)

# "Resolved" states: a bind finished one way or the other (api.md §9.4).
RESOLVED = (BOUND, BIND_FAILED, DELETING)

# The only value the ``bind_state`` list filter accepts.
BIND_STATE_RESOLVED = 'resolved'
