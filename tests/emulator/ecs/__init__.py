"""ECS services, deployments and tasks as the ECS developer guide describes them, on moto's ECS.

moto 5.2.5 keeps a service's first deployment forever, never starts a task for a service, and
drops `deploymentConfiguration`, `serviceConnectConfiguration` and `enableECSManagedTags`. This
module replaces, inside the emulator process only, the ECS operations that deploy and run things
(CreateService, UpdateService, DescribeServices, ListServices, DeleteService, RunTask,
DescribeTasks, ListTasks, StopTask, DeleteCluster); every other ECS operation stays moto's.

Time moves on its own: every ECS request first catches the simulation up to the wall clock,
replaying each scheduled transition at the moment it was due (a discrete-event loop), so what a
client sees depends only on how much time has passed, never on how often it asked. One *step*
(`SETTINGS.step` seconds, `--step` of the emulator) paces everything; the numbers below are in steps.

Sources, cited where each rule is applied:
- [lifecycle] Task lifecycle: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html
- [rolling] Rolling update deployments and the circuit breaker:
  https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html and
  https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html
- [events] Service event messages: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages-list.html
- [stopped] Stopped task error codes: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html
- [api] The ECS API reference for each operation, and botocore's ECS model (the shapes returned).
- [connect] Service Connect: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect-concepts.html

Modules, one job each: `common` (timings, errors, the clock), `tasks` (a task's lifecycle, its
network interface and its logs), `services` (deployments, the circuit breaker, the service view),
`backend` (moto's backend with the simulation attached, the operations), `handlers` (the HTTP
operations moto routes, swapped in by `install`).
"""

from tests.emulator.ecs.handlers import install

__all__ = ["install"]
