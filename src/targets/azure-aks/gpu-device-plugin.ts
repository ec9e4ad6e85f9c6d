/**
 * The NVIDIA device plugin, which makes the GPU nodes advertise `nvidia.com/gpu` to the
 * scheduler. AKS installs the GPU driver on N-series nodes but not this plugin; without it GPU
 * pods stay Pending. Runs only on the GPU pool (its label) and tolerates the pool's taint.
 */
import { DaemonSetV1 } from '@cdktf/provider-kubernetes/lib/daemon-set-v1/index.js';
import type { ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';
import { GPU_NODE_LABEL, GPU_TAINT } from './cluster.js';

/** Pinned so the plugin changes only when bentoctl changes it. */
export const NVIDIA_DEVICE_PLUGIN_IMAGE = 'nvcr.io/nvidia/k8s-device-plugin:v0.17.0';

export function addNvidiaDevicePlugin(
  scope: Construct,
  props: { labels: Readonly<Record<string, string>>; dependsOn: readonly ITerraformDependable[] },
): InstanceType<typeof DaemonSetV1> {
  const selector = { 'app.kubernetes.io/name': 'nvidia-device-plugin' };
  return new DaemonSetV1(scope, 'nvidia_device_plugin', {
    metadata: {
      name: 'nvidia-device-plugin',
      namespace: 'kube-system',
      labels: { ...props.labels, ...selector },
    },
    spec: {
      selector: { matchLabels: selector },
      strategy: { type: 'RollingUpdate' },
      template: {
        metadata: { labels: selector },
        spec: {
          priorityClassName: 'system-node-critical',
          nodeSelector: { [GPU_NODE_LABEL.key]: GPU_NODE_LABEL.value },
          toleration: [{ key: GPU_TAINT.key, operator: 'Exists', effect: GPU_TAINT.effect }],
          container: [
            {
              name: 'nvidia-device-plugin',
              image: NVIDIA_DEVICE_PLUGIN_IMAGE,
              securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: { drop: ['ALL'] },
              },
              volumeMount: [
                { name: 'device-plugin', mountPath: '/var/lib/kubelet/device-plugins' },
              ],
            },
          ],
          volume: [
            { name: 'device-plugin', hostPath: { path: '/var/lib/kubelet/device-plugins' } },
          ],
        },
      },
    },
    dependsOn: [...props.dependsOn],
  });
}
