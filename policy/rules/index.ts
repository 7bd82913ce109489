import { PolicyRule } from "../rule";
import { ContainerCapabilitiesDropped } from "./ContainerCapabilitiesDropped";
import { ContainerCpuLimited } from "./ContainerCpuLimited";
import { ContainerCpuPrioritySet } from "./ContainerCpuPrioritySet";
import { ContainerDatabaseAndRpcPortsNotPublic } from "./ContainerDatabaseAndRpcPortsNotPublic";
import { ContainerDockerSocketNotMounted } from "./ContainerDockerSocketNotMounted";
import { ContainerEnvironmentHasNoLiteralSecrets } from "./ContainerEnvironmentHasNoLiteralSecrets";
import { ContainerEnvironmentReadsNoSecretVariable } from "./ContainerEnvironmentReadsNoSecretVariable";
import { ContainerHealthCheckDefined } from "./ContainerHealthCheckDefined";
import { ContainerHostIpcNamespaceNotShared } from "./ContainerHostIpcNamespaceNotShared";
import { ContainerHostPidNamespaceNotShared } from "./ContainerHostPidNamespaceNotShared";
import { ContainerHostPortsBoundToLoopback } from "./ContainerHostPortsBoundToLoopback";
import { ContainerLogRotationConfigured } from "./ContainerLogRotationConfigured";
import { ContainerMemoryLimited } from "./ContainerMemoryLimited";
import { ContainerNoNewPrivileges } from "./ContainerNoNewPrivileges";
import { ContainerNotOnHostNetwork } from "./ContainerNotOnHostNetwork";
import { ContainerNotPrivileged } from "./ContainerNotPrivileged";
import { ContainerPidsLimited } from "./ContainerPidsLimited";
import { ContainerReadOnlyRootFilesystem } from "./ContainerReadOnlyRootFilesystem";
import { ContainerRestartPolicyBounded } from "./ContainerRestartPolicyBounded";
import { ContainerRunsAsNonRoot } from "./ContainerRunsAsNonRoot";
import { ContainerSecurityProfilesEnabled } from "./ContainerSecurityProfilesEnabled";
import { ImageReferencePinned } from "./ImageReferencePinned";
import { SwarmSecretsNotInConfigs } from "./SwarmSecretsNotInConfigs";
import { VariableSecretSensitive } from "./VariableSecretSensitive";
import { VolumeStatefulProtected } from "./VolumeStatefulProtected";

export {
  ContainerCapabilitiesDropped,
  ContainerCpuLimited,
  ContainerCpuPrioritySet,
  ContainerDatabaseAndRpcPortsNotPublic,
  ContainerDockerSocketNotMounted,
  ContainerEnvironmentHasNoLiteralSecrets,
  ContainerEnvironmentReadsNoSecretVariable,
  ContainerHealthCheckDefined,
  ContainerHostIpcNamespaceNotShared,
  ContainerHostPidNamespaceNotShared,
  ContainerHostPortsBoundToLoopback,
  ContainerLogRotationConfigured,
  ContainerMemoryLimited,
  ContainerNoNewPrivileges,
  ContainerNotOnHostNetwork,
  ContainerNotPrivileged,
  ContainerPidsLimited,
  ContainerReadOnlyRootFilesystem,
  ContainerRestartPolicyBounded,
  ContainerRunsAsNonRoot,
  ContainerSecurityProfilesEnabled,
  ImageReferencePinned,
  SwarmSecretsNotInConfigs,
  VariableSecretSensitive,
  VolumeStatefulProtected,
};

/** Every rule, in the order packs apply them and RULES.md lists them. */
export const ALL_RULES: readonly PolicyRule[] = [
  ContainerNotPrivileged,
  ContainerCapabilitiesDropped,
  ContainerNoNewPrivileges,
  ContainerSecurityProfilesEnabled,
  ContainerRunsAsNonRoot,
  ContainerReadOnlyRootFilesystem,
  ContainerMemoryLimited,
  ContainerCpuLimited,
  ContainerCpuPrioritySet,
  ContainerPidsLimited,
  ContainerHealthCheckDefined,
  ContainerRestartPolicyBounded,
  ContainerLogRotationConfigured,
  ContainerNotOnHostNetwork,
  ContainerHostPidNamespaceNotShared,
  ContainerHostIpcNamespaceNotShared,
  ContainerDockerSocketNotMounted,
  ContainerHostPortsBoundToLoopback,
  ContainerDatabaseAndRpcPortsNotPublic,
  ContainerEnvironmentHasNoLiteralSecrets,
  ContainerEnvironmentReadsNoSecretVariable,
  SwarmSecretsNotInConfigs,
  ImageReferencePinned,
  VolumeStatefulProtected,
  VariableSecretSensitive,
];
