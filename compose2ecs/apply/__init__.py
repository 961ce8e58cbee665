"""Stage 4, `apply`: a plan -> its operations, kind by kind in dependency order, then the wait.

Input: the Plan from `resources.plan_changes`, the DesiredState it was made from and the
DeployedState it was made against. Output: an ApplyResult (the writes made, in order, and the
task definition each family runs). Every AWS call goes through `resources.gateway.Gateway`
(BotoGateway in production, an in-memory fake in the tests), so there is no boto3 here; time
goes through injected `clock` and `sleep`, so waiting is testable. A plan that is in sync makes
no write at all, and a run that was interrupted converges when it is planned and applied again.
`teardown` holds `scale` and `down`; `lock` the one-writer-at-a-time lock.
"""

from compose2ecs.apply.executor import apply_plan, refuse_replacements, settle_services
from compose2ecs.apply.teardown import down, scale
from compose2ecs.resources.load_balancer import urls as listener_urls
from compose2ecs.resources.run import ApplyOptions, ApplyResult, Progress
from compose2ecs.resources.wait import rollout_summary, unsteady_services

__all__ = [
    "ApplyOptions",
    "ApplyResult",
    "Progress",
    "apply_plan",
    "down",
    "listener_urls",
    "refuse_replacements",
    "rollout_summary",
    "scale",
    "settle_services",
    "unsteady_services",
]
