"""Stage 3, `plan`: desired request shapes vs deployed state -> the list of changes.

Pure: values in, values out; no AWS client and no I/O. Both sides are first normalised to one
canonical request shape (normalize.py: read-only fields dropped, AWS defaults filled, set-like lists
sorted, units and role ARNs unified), so a freshly applied project plans as in sync. The differences
become `FieldChange`s with readable paths (diff.py), and each resource gets an `Action`
(changes.py), in the order `apply` must run them.
"""

from __future__ import annotations

from compose2ecs.plan.changes import plan_changes
from compose2ecs.plan.preflight import CREATED_CLUSTER_PROVIDERS, preflight_problems

__all__ = ["CREATED_CLUSTER_PROVIDERS", "plan_changes", "preflight_problems"]
