/**
 * How a `Service` rendered as a container receives its secret and configuration files. Provider 4.6
 * still copies uploads to "/" of the container, and Docker refuses that on a read-only root
 * filesystem even when the file's own directory is a volume. So uploaded files go through a loader:
 * a container of the same image that is created but never started (uploads happen after create,
 * before start) and mounts a small volume per directory; the service mounts those volumes
 * read-only. The loader's uploads are ForceNew, and the service is replaced with it, so a changed
 * file (a rotated secret) always reaches a new container.
 */
import { Construct, TerraformResource } from "./cdk";
import { Container } from "./docker";
import { moveFilesVolumeFromCounterAddress } from "./earlier-addresses";
import { labelBlocks } from "./labels";
import type { ResolvedService } from "./resolved-service";
import { Secret } from "./secret";
import { readableLogicalId } from "./validation";
import { Volume, VolumeMount } from "./volume";

/** One file written into the loader. */
export interface Upload {
  readonly file: string;
  readonly content: string;
  readonly permissions: string;
}

/** What the container rendering mounts and waits for. */
export interface DeliveredFiles {
  /** Volumes created to hold the uploaded files. */
  readonly volumes: readonly Volume[];
  /** The service's mounts: its declared volumes, then the files volumes, read-only. */
  readonly mounts: readonly VolumeMount[];
  /** The never-started container that receives the uploads, when there are any. */
  readonly loader?: Container;
}

/** The files loader of `service` and the volumes it writes, created in `scope` (the `Service`). */
export function deliverFiles(scope: Construct, service: ResolvedService): DeliveredFiles {
  const uploads = uploadsOf(service);
  const fileVolumes: Volume[] = [];
  const loaderMounts: VolumeMount[] = [];
  const mounts: VolumeMount[] = [...service.volumes];
  const dirs = [...new Set(uploads.map((u) => u.file.substring(0, u.file.lastIndexOf("/")) || "/"))].sort();
  for (const dir of dirs) {
    // Every loader mount has a twin in `mounts` (a files volume, or the declared volume it reuses).
    const covering = mounts.find((m) => dir === m.containerPath || dir.startsWith(m.containerPath + "/"));
    if (covering) {
      if (!loaderMounts.some((m) => m.containerPath === covering.containerPath)) loaderMounts.push({ ...covering, readOnly: false });
      continue;
    }
    const words = dir.split(/[^a-zA-Z0-9]+/).filter((w) => w !== "");
    // The construct id (and so the Terraform address) comes from the directory, never from a
    // counter: adding a directory that sorts earlier must not rename the others' volumes.
    const id = `Files${words.map((w) => w[0].toUpperCase() + w.slice(1)).join("")}`;
    const volume = new Volume(scope, id, { name: `${service.name}-files-${words.join("-")}` });
    moveFilesVolumeFromCounterAddress(scope, volume, fileVolumes.length);
    fileVolumes.push(volume);
    loaderMounts.push(volume.mount(dir));
    mounts.push(volume.mount(dir, { readOnly: true }));
  }
  const loader = uploads.length > 0 ? createFilesLoader(scope, service, uploads, loaderMounts) : undefined;
  return { volumes: fileVolumes, mounts, loader };
}

/**
 * The uploads: secret files, and configuration files with their mode (a secret file's when their
 * content reads a secret). Uploaded files are owned by root: a non-root reader can only read a
 * world-readable file, which sits in a root-owned directory on a volume mounted into this service
 * only. Provider 4.6's upload `owner` does not help on Docker Engine 26: with an owner, Docker
 * chowns to the container's user (the image's USER included), which Engine 26 resolves by name and
 * fails for numeric users (`unable to find getent command`; 00-provider-behaviour).
 */
function uploadsOf(service: ResolvedService): Upload[] {
  const secretPermissions = service.fileReader.root ? "0400" : "0444";
  return [
    ...service.secretFiles.map((f) => ({ file: f.containerPath, content: f.secret.value, permissions: secretPermissions })),
    ...service.configFiles.map((f) => ({
      file: f.containerPath,
      content: f.content.template,
      permissions: f.sensitive ? secretPermissions : (f.mode ?? "0444"),
    })),
  ];
}

/** The created-but-never-started container that receives the service's uploaded files. */
function createFilesLoader(scope: Construct, service: ResolvedService, uploads: Upload[], loaderMounts: readonly VolumeMount[]): Container {
  const loader = new Container(scope, "FilesLoader", {
    name: `${service.name}-files`,
    image: service.image.imageId,
    // Never started: start=false, and must_run=false so a created container is its steady state.
    start: false,
    mustRun: false,
    rm: false,
    readOnly: false,
    user: service.user,
    networkMode: "none",
    capabilities: { drop: ["ALL"], add: [] },
    securityOpts: ["no-new-privileges:true"],
    restart: "no",
    memory: 16,
    memorySwap: 16,
    logDriver: "json-file",
    // The service's own log options: a daemon default would read back as a perpetual diff.
    logOpts: { ...service.logOptions },
    labels: labelBlocks({ role: "files-loader", service: service.name }),
    volumes: loaderMounts.map((m) => ({ volumeName: m.volume.name, containerPath: m.containerPath, readOnly: false })),
    upload: uploads,
    count: service.enabledWhen?.count,
    // After the length checks of the secrets it uploads: a targeted plan checks them too.
    dependsOn: [...lengthChecks(service), ...loaderMounts.flatMap((m) => (m.volume.resource ? [m.volume.resource] : []))],
  });
  loader.overrideLogicalId(`${readableLogicalId(scope)}_files`);
  return loader;
}

/** The length checks of the secrets a service receives: its secret files, and those its configuration files read. */
function lengthChecks(service: ResolvedService): TerraformResource[] {
  const secrets = [
    ...service.secretFiles.map((f) => f.secret),
    ...service.configFiles.flatMap((f) => f.secrets.flatMap((v) => Secret.of(v) ?? [])),
  ];
  return [...new Set(secrets)].map((s) => s.lengthCheck);
}
