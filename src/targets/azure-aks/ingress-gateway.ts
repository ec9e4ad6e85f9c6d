/**
 * The AKS Istio add-on's internal ingress gateway, which routes canary and blue-green releases
 * (release-routing.ts). AKS creates and manages it (namespace, Envoy Deployment, autoscaler and
 * an internal LoadBalancer Service in the VNet) when the cluster's service mesh profile turns
 * it on; bentoctl only binds an Istio Gateway to it by its pod label and reads its address.
 * Names from the AKS docs, "Deploy ingress gateways for the Istio service mesh add-on".
 */

/** Namespace, Service name and pod label of the add-on's internal ingress gateway. */
export const INGRESS_GATEWAY_SERVICE = {
  namespace: 'aks-istio-ingress',
  name: 'aks-istio-ingressgateway-internal',
  /** `<namespace>/<name>`: what the cluster stack hands the workload stack. */
  id: 'aks-istio-ingress/aks-istio-ingressgateway-internal',
  /** The label the add-on puts on the gateway's pods, which an Istio Gateway selects. */
  selector: { istio: 'aks-istio-ingressgateway-internal' },
} as const;

/** The ports the add-on's gateway Service listens on; plain HTTP is 80. */
export const INGRESS_GATEWAY_HTTP_PORT = 80;

/** The Istio API version of Gateway and VirtualService (GA since Istio 1.22, every asm revision). */
export const ISTIO_NETWORKING_API = 'networking.istio.io/v1';
