/**
 * What a node of an Azure VM size can give one pod, read from the size name itself
 * (`Standard_D4s_v5` has 4 vCPUs; `Standard_E64-16s_v5` is constrained to 16). Used only to
 * reject a pod that can never be scheduled, so unknown names are simply not checked.
 */

/** CPU AKS reserves for the kubelet and the OS, by node vCPU count (AKS docs, in millicores). */
const KUBE_RESERVED_MILLICORES: readonly { upToVcpus: number; millicores: number }[] = [
  { upToVcpus: 1, millicores: 60 },
  { upToVcpus: 2, millicores: 100 },
  { upToVcpus: 4, millicores: 140 },
  { upToVcpus: 8, millicores: 180 },
  { upToVcpus: 16, millicores: 260 },
  { upToVcpus: 32, millicores: 420 },
  { upToVcpus: Number.POSITIVE_INFINITY, millicores: 740 },
];

const SIZE_VCPUS = /^Standard_[A-Za-z]+(\d+)(?:-(\d+))?/;

export function vmSizeVcpus(vmSize: string): number | undefined {
  const match = SIZE_VCPUS.exec(vmSize);
  if (!match) return undefined;
  const constrained = match[2];
  return Number(constrained ?? match[1]);
}

/** CPU left for pods on an empty node of this size, or undefined for an unknown size name. */
export function allocatableMillicores(vmSize: string): number | undefined {
  const vcpus = vmSizeVcpus(vmSize);
  if (vcpus === undefined || vcpus === 0) return undefined;
  const reserved = KUBE_RESERVED_MILLICORES.find((row) => vcpus <= row.upToVcpus)?.millicores ?? 0;
  return vcpus * 1000 - reserved;
}
