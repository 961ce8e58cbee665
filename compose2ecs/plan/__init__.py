"""Stage 3, `plan`: the pure toolkit that compares desired request shapes with deployed state.

Pure: values in, values out; no AWS client and no I/O. Both sides are first normalised to one
canonical request shape (normalize.py: read-only fields dropped, AWS defaults filled, set-like lists
sorted, units and role ARNs unified), so a freshly applied project plans as in sync. The differences
become `FieldChange`s with readable paths (diff.py). The preflight (preflight.py) finds what would
make a deployment fail before anything is written. Each resource kind (`compose2ecs.resources`)
plans its own changes with these tools; `resources.plan_changes` walks them in apply order.
"""

from __future__ import annotations

from compose2ecs.plan.preflight import CREATED_CLUSTER_PROVIDERS, preflight_problems

__all__ = ["CREATED_CLUSTER_PROVIDERS", "preflight_problems"]
