/**
 * The one container of the Fargate task: the runtime image with a read-only root file system
 * (only /tmp is writable), secrets injected by ECS, logs to CloudWatch, and time to drain on
 * stop.
 */
import type { AwsSecret } from '../common/aws-secrets.js';

export const CONTAINER_NAME = 'bento';
/** Fargate's longest stop timeout: SIGTERM, then this long to drain queued requests. */
export const STOP_TIMEOUT_SECONDS = 120;
const TMP_VOLUME = 'tmp';

export interface ContainerProps {
  readonly image: string;
  readonly port: number;
  /** The runtime's gRPC port, mapped too when given. @default - HTTP only */
  readonly grpcPort?: number | undefined;
  readonly environment: Readonly<Record<string, string>>;
  readonly secrets: readonly AwsSecret[];
  /** Secrets Manager ARN of the registry's credentials (an image outside ECR). */
  readonly pullSecretArn?: string | undefined;
  readonly logGroupName: string;
  readonly region: string;
}

/** The task's volumes: one scratch volume on the task's ephemeral storage for /tmp. */
export const TASK_VOLUMES = [{ name: TMP_VOLUME }];

export function containerDefinition(props: ContainerProps): Record<string, unknown> {
  return {
    name: CONTAINER_NAME,
    image: props.image,
    ...(props.pullSecretArn !== undefined
      ? { repositoryCredentials: { credentialsParameter: props.pullSecretArn } }
      : {}),
    essential: true,
    portMappings: [
      { name: 'http', containerPort: props.port, hostPort: props.port, protocol: 'tcp' },
      ...(props.grpcPort === undefined
        ? []
        : [
            {
              name: 'grpc',
              containerPort: props.grpcPort,
              hostPort: props.grpcPort,
              protocol: 'tcp',
            },
          ]),
    ],
    environment: Object.entries(props.environment).map(([name, value]) => ({ name, value })),
    secrets: props.secrets.map((secret) => ({ name: secret.name, valueFrom: secret.valueFrom })),
    readonlyRootFilesystem: true,
    mountPoints: [{ sourceVolume: TMP_VOLUME, containerPath: '/tmp', readOnly: false }],
    // An init process forwards SIGTERM to the server and reaps children of its workers.
    linuxParameters: { initProcessEnabled: true },
    ulimits: [{ name: 'nofile', softLimit: 65536, hardLimit: 65536 }],
    stopTimeout: STOP_TIMEOUT_SECONDS,
    // The ALB checks /readyz; a container health check would need a probe binary in the
    // image and would duplicate it.
    logConfiguration: {
      logDriver: 'awslogs',
      options: {
        'awslogs-group': props.logGroupName,
        'awslogs-region': props.region,
        'awslogs-stream-prefix': CONTAINER_NAME,
        // A slow log pipeline must not block request handling.
        mode: 'non-blocking',
        'max-buffer-size': '25m',
      },
    },
  };
}
