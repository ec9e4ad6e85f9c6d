/**
 * GPUs per node of the N-series sizes AKS runs GPU pools on (Azure VM size docs). Each bentoctl
 * GPU pod asks for one GPU, so a pool holds nodes x GPUs pods; a size not listed counts as one
 * GPU per node, which can only under-count.
 */
const GPUS_PER_NODE: Readonly<Record<string, number>> = {
  Standard_NC4as_T4_v3: 1,
  Standard_NC8as_T4_v3: 1,
  Standard_NC16as_T4_v3: 1,
  Standard_NC64as_T4_v3: 4,
  Standard_NC24ads_A100_v4: 1,
  Standard_NC48ads_A100_v4: 2,
  Standard_NC96ads_A100_v4: 4,
  Standard_NC40ads_H100_v5: 1,
  Standard_NC80adis_H100_v5: 2,
  Standard_NV36ads_A10_v5: 1,
  Standard_NV72ads_A10_v5: 2,
};

export function gpusPerNode(vmSize: string): number {
  return GPUS_PER_NODE[vmSize] ?? 1;
}
