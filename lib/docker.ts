/**
 * The one place that imports the generated kreuzwerker/docker 3.6.2 bindings. Explicit per-resource
 * imports (never the package barrel) keep synthesis fast.
 */
export { DockerProvider } from "@cdktf/provider-docker/lib/provider";
export type { DockerProviderConfig } from "@cdktf/provider-docker/lib/provider";
export { Container } from "@cdktf/provider-docker/lib/container";
export type {
  ContainerConfig,
  ContainerHealthcheck,
  ContainerMounts,
  ContainerNetworksAdvanced,
  ContainerPorts,
  ContainerUpload,
  ContainerVolumes,
} from "@cdktf/provider-docker/lib/container";
export { Image } from "@cdktf/provider-docker/lib/image";
export { Network } from "@cdktf/provider-docker/lib/network";
export { Volume } from "@cdktf/provider-docker/lib/volume";
