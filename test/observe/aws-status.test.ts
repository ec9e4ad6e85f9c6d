/**
 * aws-ecs and aws-ec2-gpu live status through the real SDK clients against a scripted endpoint,
 * with answers shaped as the ECS, Auto Scaling and ELBv2 API references document them.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BentoctlError } from '../../src/errors/index.js';
import { awsDeploymentNames } from '../../src/observe/aws-names.js';
import { ec2Status } from '../../src/observe/ec2-status.js';
import { ecsStatus } from '../../src/observe/ecs-status.js';
import { ECS_ROLLOUT, TARGET_GROUP, TASK_DEF } from './aws-fixtures.js';
import {
  awsClientSettings,
  awsJsonError,
  awsQueryError,
  startAwsScriptedServer,
  type AwsScriptedServer,
} from '../helpers/aws-scripted-server.js';

const names = awsDeploymentNames('iris-prod');
const IMAGE = (digit: string) =>
  `123456789012.dkr.ecr.us-east-1.amazonaws.com/iris-prod@sha256:${digit.repeat(64)}`;

const taskDefinition = (revision: number, digit: string, bentoVersion: string) => ({
  body: {
    taskDefinition: {
      taskDefinitionArn: TASK_DEF(revision),
      family: 'iris-prod',
      revision,
      containerDefinitions: [{ name: 'bento', image: IMAGE(digit) }],
    },
    tags: [
      { key: 'bento-version', value: bentoVersion },
      { key: 'managed-by', value: 'bentoctl' },
    ],
  },
});

const TARGET_HEALTH = `<DescribeTargetHealthResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
  <DescribeTargetHealthResult>
    <TargetHealthDescriptions>
      <member>
        <HealthCheckPort>3000</HealthCheckPort>
        <TargetHealth><State>healthy</State></TargetHealth>
        <Target><Port>3000</Port><Id>10.0.1.17</Id></Target>
      </member>
      <member>
        <HealthCheckPort>3000</HealthCheckPort>
        <TargetHealth>
          <State>unhealthy</State>
          <Reason>Target.ResponseCodeMismatch</Reason>
          <Description>Health checks failed with these codes: [503]</Description>
        </TargetHealth>
        <Target><Port>3000</Port><Id>10.0.2.9</Id></Target>
      </member>
    </TargetHealthDescriptions>
  </DescribeTargetHealthResult>
  <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>
</DescribeTargetHealthResponse>`;

describe('live status on AWS', () => {
  let server: AwsScriptedServer;
  let clients: {
    ecs: ECSClient;
    elb: ElasticLoadBalancingV2Client;
    autoScaling: AutoScalingClient;
  };
  beforeAll(async () => {
    server = await startAwsScriptedServer();
    const settings = awsClientSettings(server);
    clients = {
      ecs: new ECSClient(settings),
      elb: new ElasticLoadBalancingV2Client(settings),
      autoScaling: new AutoScalingClient(settings),
    };
  });
  afterAll(async () => server?.close());
  beforeEach(() => {
    server.calls.length = 0;
    server.script.clear();
  });

  describe('aws-ecs', () => {
    it('GIVEN a rollout under way WHEN asked THEN each deployment shows its revision, image, bento version and counts, and failures come first', async () => {
      server.script.set('DescribeServices', [{ body: ECS_ROLLOUT }]);
      server.script.set('DescribeTaskDefinition', [
        taskDefinition(7, 'b', 'v7hash'),
        taskDefinition(6, 'a', 'v6hash'),
      ]);
      server.script.set('DescribeTargetHealth', [{ body: TARGET_HEALTH }]);

      const live = await ecsStatus({ region: 'us-east-1', names, ...clients });

      expect(server.calls[0]).toEqual({
        operation: 'DescribeServices',
        input: { cluster: 'iris-prod', services: ['iris-prod'] },
      });
      expect(server.calls[1]?.input).toEqual({ taskDefinition: TASK_DEF(7), include: ['TAGS'] });
      expect(live).toMatchObject({ found: true, desired: 2, running: 3, rollout: 'IN_PROGRESS' });
      expect(live.revisions).toEqual([
        {
          id: 'iris-prod:7',
          image: IMAGE('b'),
          bentoVersion: 'v7hash',
          desired: 2,
          running: 1,
          trafficPercent: null,
          role: 'primary, in_progress, 1 failed tasks',
        },
        {
          id: 'iris-prod:6',
          image: IMAGE('a'),
          bentoVersion: 'v6hash',
          desired: 2,
          running: 2,
          trafficPercent: null,
          role: 'draining, completed',
        },
      ]);
      expect(live.events[0]).toMatchObject({
        severity: 'error',
        message: expect.stringContaining('failed container health checks'),
      });
      expect(live.events.map((event) => event.time)).toContain('2026-12-01T08:00:01.000Z');
      expect(live.instances).toEqual([
        { id: '10.0.1.17:3000', state: 'registered', health: 'healthy', revision: null },
        {
          id: '10.0.2.9:3000',
          state: 'registered',
          health:
            'unhealthy (Target.ResponseCodeMismatch: Health checks failed with these codes: [503])',
          revision: null,
        },
      ]);
    });

    it('GIVEN a task stopped by a failing container WHEN asked THEN why is an error event', async () => {
      server.script.set('DescribeServices', [{ body: ECS_ROLLOUT }]);
      server.script.set('DescribeTaskDefinition', [taskDefinition(7, 'b', 'v7')]);
      server.script.set('DescribeTargetHealth', [{ body: TARGET_HEALTH }]);
      server.script.set('ListTasks', [
        { body: { taskArns: ['arn:aws:ecs:us-east-1:123456789012:task/iris-prod/0a1b2c'] } },
      ]);
      server.script.set('DescribeTasks', [
        {
          body: {
            tasks: [
              {
                taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/iris-prod/0a1b2c',
                taskDefinitionArn: TASK_DEF(7),
                lastStatus: 'STOPPED',
                stopCode: 'EssentialContainerExited',
                stoppedReason: 'Essential container in task exited',
                stoppedAt: 1_796_112_055,
                containers: [{ name: 'bento', exitCode: 1, lastStatus: 'STOPPED' }],
              },
            ],
            failures: [],
          },
        },
      ]);

      const live = await ecsStatus({ region: 'us-east-1', names, ...clients });

      expect(server.calls.find((call) => call.operation === 'ListTasks')?.input).toEqual({
        cluster: 'iris-prod',
        serviceName: 'iris-prod',
        desiredStatus: 'STOPPED',
        maxResults: 10,
      });
      expect(live.events).toContainEqual({
        time: '2026-12-01T08:00:55.000Z',
        severity: 'error',
        message:
          'task 0a1b2c (iris-prod:7) stopped: Essential container in task exited; container bento exit 1',
      });
    });

    it('GIVEN a failed rollout WHEN asked THEN its reason is an error event', async () => {
      const failed = structuredClone(ECS_ROLLOUT);
      const primary = failed.services[0]!.deployments[0]!;
      primary.rolloutState = 'FAILED';
      primary.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.';
      server.script.set('DescribeServices', [{ body: failed }]);
      server.script.set('DescribeTaskDefinition', [taskDefinition(7, 'b', 'v7')]);
      server.script.set('DescribeTargetHealth', [{ body: TARGET_HEALTH }]);

      const live = await ecsStatus({ region: 'us-east-1', names, ...clients });

      expect(live.rollout).toBe('FAILED');
      expect(live.events).toContainEqual({
        time: '2026-12-01T08:01:00.000Z',
        severity: 'error',
        message: 'rollout failed: ECS deployment circuit breaker: tasks failed to start.',
      });
    });

    it('GIVEN the service is MISSING WHEN asked THEN it is reported as not found, not as a failure', async () => {
      server.script.set('DescribeServices', [
        {
          body: {
            services: [],
            failures: [
              {
                arn: 'arn:aws:ecs:us-east-1:123456789012:service/iris-prod/iris-prod',
                reason: 'MISSING',
              },
            ],
          },
        },
      ]);

      const live = await ecsStatus({ region: 'us-east-1', names, ...clients });

      expect(live.found).toBe(false);
      expect(live.notes[0]).toContain('no active service iris-prod in cluster iris-prod');
    });

    it('GIVEN AccessDeniedException WHEN asked THEN CLOUD_ACCESS_DENIED names ecs:DescribeServices', async () => {
      server.script.set('DescribeServices', [
        awsJsonError(
          'AccessDeniedException',
          'User is not authorized to perform: ecs:DescribeServices',
        ),
      ]);

      const error = (await ecsStatus({ region: 'us-east-1', names, ...clients }).catch(
        (e: unknown) => e,
      )) as BentoctlError;

      expect(error).toBeInstanceOf(BentoctlError);
      expect(error.code).toBe('CLOUD_ACCESS_DENIED');
      expect(error.hint).toContain(
        'ecs:DescribeServices on the service iris-prod in cluster iris-prod (us-east-1)',
      );
    });

    it('GIVEN DescribeTargetHealth is denied WHEN asked THEN the service status stands and a note names the permission', async () => {
      server.script.set('DescribeServices', [{ body: ECS_ROLLOUT }]);
      server.script.set('DescribeTaskDefinition', [taskDefinition(7, 'b', 'v7')]);
      server.script.set('DescribeTargetHealth', [awsQueryError('AccessDenied', 'not authorized')]);

      const live = await ecsStatus({ region: 'us-east-1', names, ...clients });

      expect(live.found).toBe(true);
      expect(live.notes.join('\n')).toContain('elasticloadbalancing:DescribeTargetHealth');
    });
  });

  describe('aws-ec2-gpu', () => {
    const GROUP = `<DescribeAutoScalingGroupsResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/">
  <DescribeAutoScalingGroupsResult>
    <AutoScalingGroups>
      <member>
        <AutoScalingGroupName>iris-prod</AutoScalingGroupName>
        <MinSize>1</MinSize>
        <MaxSize>4</MaxSize>
        <DesiredCapacity>2</DesiredCapacity>
        <Instances>
          <member>
            <InstanceId>i-0aaa</InstanceId>
            <LifecycleState>InService</LifecycleState>
            <HealthStatus>Healthy</HealthStatus>
            <AvailabilityZone>us-east-1a</AvailabilityZone>
            <LaunchTemplate><LaunchTemplateId>lt-1</LaunchTemplateId><LaunchTemplateName>iris-prod</LaunchTemplateName><Version>3</Version></LaunchTemplate>
            <ProtectedFromScaleIn>false</ProtectedFromScaleIn>
          </member>
          <member>
            <InstanceId>i-0bbb</InstanceId>
            <LifecycleState>Pending</LifecycleState>
            <HealthStatus>Healthy</HealthStatus>
            <AvailabilityZone>us-east-1b</AvailabilityZone>
            <LaunchTemplate><LaunchTemplateId>lt-1</LaunchTemplateId><LaunchTemplateName>iris-prod</LaunchTemplateName><Version>4</Version></LaunchTemplate>
            <ProtectedFromScaleIn>false</ProtectedFromScaleIn>
          </member>
        </Instances>
        <TargetGroupARNs><member>${TARGET_GROUP}</member></TargetGroupARNs>
      </member>
    </AutoScalingGroups>
  </DescribeAutoScalingGroupsResult>
  <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>
</DescribeAutoScalingGroupsResponse>`;
    const ACTIVITIES = `<DescribeScalingActivitiesResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/">
  <DescribeScalingActivitiesResult>
    <Activities>
      <member>
        <ActivityId>a-2</ActivityId>
        <AutoScalingGroupName>iris-prod</AutoScalingGroupName>
        <Description>Launching a new EC2 instance.  Status Reason: We currently do not have sufficient g5.xlarge capacity in the Availability Zone you requested (us-east-1a).</Description>
        <Cause>At 2026-12-01T08:00:00Z an instance was started in response to an instance refresh.</Cause>
        <StartTime>2026-12-01T08:00:00Z</StartTime>
        <EndTime>2026-12-01T08:00:05Z</EndTime>
        <StatusCode>Failed</StatusCode>
        <StatusMessage>We currently do not have sufficient g5.xlarge capacity.</StatusMessage>
        <Progress>100</Progress>
      </member>
      <member>
        <ActivityId>a-1</ActivityId>
        <AutoScalingGroupName>iris-prod</AutoScalingGroupName>
        <Description>Launching a new EC2 instance: i-0aaa</Description>
        <Cause>At 2026-11-30T10:00:00Z a user request created an AutoScalingGroup.</Cause>
        <StartTime>2026-11-30T10:00:00Z</StartTime>
        <EndTime>2026-11-30T10:01:00Z</EndTime>
        <StatusCode>Successful</StatusCode>
        <Progress>100</Progress>
      </member>
    </Activities>
  </DescribeScalingActivitiesResult>
  <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>
</DescribeScalingActivitiesResponse>`;
    const HEALTH = TARGET_HEALTH.replace('10.0.1.17', 'i-0aaa').replace('10.0.2.9', 'i-0bbb');

    it('GIVEN an instance refresh under way WHEN asked THEN instances, their versions, target health and the failed launch show', async () => {
      server.script.set('DescribeAutoScalingGroups', [{ body: GROUP }]);
      server.script.set('DescribeScalingActivities', [{ body: ACTIVITIES }]);
      server.script.set('DescribeTargetHealth', [{ body: HEALTH }]);

      const live = await ec2Status({ region: 'us-east-1', names, scaled: true, ...clients });

      expect(server.calls.map((call) => call.operation)).toEqual([
        'DescribeAutoScalingGroups',
        'DescribeScalingActivities',
        'DescribeTargetHealth',
      ]);
      expect(server.calls[0]?.input).toMatchObject({
        'AutoScalingGroupNames.member.1': 'iris-prod',
      });
      expect(live).toMatchObject({
        found: true,
        desired: 2,
        running: 1,
        rollout: 'instance refresh in progress',
      });
      expect(live.instances).toEqual([
        {
          id: 'i-0aaa',
          state: 'InService',
          health: 'Healthy; load balancer: healthy',
          revision: 'launch template version 3',
        },
        {
          id: 'i-0bbb',
          state: 'Pending',
          health:
            'Healthy; load balancer: unhealthy (Target.ResponseCodeMismatch: Health checks failed with these codes: [503])',
          revision: 'launch template version 4',
        },
      ]);
      expect(live.events[0]).toMatchObject({ severity: 'error', time: '2026-12-01T08:00:05.000Z' });
      expect(live.events[0]?.message).toContain('sufficient g5.xlarge capacity');
    });

    it('GIVEN AccessDenied from Auto Scaling WHEN asked THEN CLOUD_ACCESS_DENIED names autoscaling:DescribeAutoScalingGroups', async () => {
      server.script.set('DescribeAutoScalingGroups', [
        awsQueryError('AccessDenied', 'User is not authorized'),
      ]);

      const error = (await ec2Status({
        region: 'us-east-1',
        names,
        scaled: true,
        ...clients,
      }).catch((e: unknown) => e)) as BentoctlError;

      expect(error.code).toBe('CLOUD_ACCESS_DENIED');
      expect(error.hint).toContain(
        'autoscaling:DescribeAutoScalingGroups on the Auto Scaling group iris-prod in us-east-1',
      );
    });

    it('GIVEN max_instances 1 WHEN asked THEN nothing is called and the note says why', async () => {
      const live = await ec2Status({ region: 'us-east-1', names, scaled: false, ...clients });

      expect(server.calls).toEqual([]);
      expect(live.found).toBe(false);
      expect(live.notes[0]).toContain('without an Auto Scaling group');
    });
  });
});
