/** AWS API answers shared by the observe tests, shaped as the API references document them. */
export const TASK_DEF = (revision: number) =>
  `arn:aws:ecs:us-east-1:123456789012:task-definition/iris-prod:${revision}`;
export const TARGET_GROUP =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/iris-prod/0123456789abcdef';

/** ECS DescribeServices: a rollout from revision 6 to 7 under way (createdAt in epoch seconds). */
export const ECS_ROLLOUT = {
  services: [
    {
      serviceName: 'iris-prod',
      clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/iris-prod',
      status: 'ACTIVE',
      desiredCount: 2,
      runningCount: 3,
      pendingCount: 1,
      taskDefinition: TASK_DEF(7),
      loadBalancers: [
        { targetGroupArn: TARGET_GROUP, containerName: 'bento', containerPort: 3000 },
      ],
      deployments: [
        {
          id: 'ecs-svc/2',
          status: 'PRIMARY',
          taskDefinition: TASK_DEF(7),
          desiredCount: 2,
          pendingCount: 1,
          runningCount: 1,
          failedTasks: 1,
          createdAt: 1_796_112_000,
          updatedAt: 1_796_112_060,
          rolloutState: 'IN_PROGRESS',
          rolloutStateReason: 'ECS deployment ecs-svc/2 in progress.',
        },
        {
          id: 'ecs-svc/1',
          status: 'ACTIVE',
          taskDefinition: TASK_DEF(6),
          desiredCount: 2,
          pendingCount: 0,
          runningCount: 2,
          failedTasks: 0,
          createdAt: 1_796_100_000,
          updatedAt: 1_796_100_300,
          rolloutState: 'COMPLETED',
        },
      ],
      events: [
        {
          id: 'e2',
          createdAt: 1_796_112_050,
          message: '(service iris-prod) (task 0a1b2c) failed container health checks.',
        },
        {
          id: 'e1',
          createdAt: 1_796_112_001,
          message: '(service iris-prod) has started 1 tasks: (task 0a1b2c).',
        },
        {
          id: 'e0',
          createdAt: 1_796_100_300,
          message: '(service iris-prod) has reached a steady state.',
        },
      ],
    },
  ],
  failures: [],
};
