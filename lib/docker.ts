/**
 * The one place that imports the generated kreuzwerker/docker bindings (`@cdktf/provider-docker`
 * 12.0.3, generated from provider 3.6.2). The stacks run against provider 4.6, whose schema is a
 * superset of 3.6.2's but for `docker_network.check_duplicate` (never set here);
 * `test/lib/provider-schema.test.ts` checks every emitted attribute against 4.6's schema. Explicit
 * per-resource imports (never the package barrel) keep synthesis fast.
 */
import type { Construct } from "./cdk";
import { DockerProvider as GeneratedDockerProvider, DockerProviderConfig } from "@cdktf/provider-docker/lib/provider";

/**
 * The provider version every stack requires (`required_providers.docker.version`): any 4.6.x from
 * the registry. The bindings would write their own 3.6.2.
 */
export const DOCKER_PROVIDER_VERSION_CONSTRAINT = "~> 4.6.0";

/** The generated provider, requiring {@link DOCKER_PROVIDER_VERSION_CONSTRAINT}. */
export class DockerProvider extends GeneratedDockerProvider {
  constructor(scope: Construct, id: string, config: DockerProviderConfig = {}) {
    super(scope, id, config);
    // cdktf writes required_providers from this metadata; it is set once, by the generated constructor.
    Object.defineProperty(this, "terraformGeneratorMetadata", {
      value: { ...this.terraformGeneratorMetadata, providerVersion: DOCKER_PROVIDER_VERSION_CONSTRAINT },
    });
  }
}
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
export { DataDockerRegistryImage as RegistryImage } from "@cdktf/provider-docker/lib/data-docker-registry-image";
export { Service as SwarmService } from "@cdktf/provider-docker/lib/service";
export type {
  ServiceConfig as SwarmServiceConfig,
  ServiceTaskSpecContainerSpecMounts as SwarmMount,
} from "@cdktf/provider-docker/lib/service";
export { Secret as SwarmSecret } from "@cdktf/provider-docker/lib/secret";
export { Config as SwarmConfig } from "@cdktf/provider-docker/lib/config";
export { Network } from "@cdktf/provider-docker/lib/network";
export { Volume } from "@cdktf/provider-docker/lib/volume";
