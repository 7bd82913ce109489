import { Construct } from "./cdk";
import { Condition } from "./condition";
import { Image as DockerImage } from "./docker";
import { addressImage } from "./earlier-addresses";
import { readableLogicalId } from "./validation";

export interface ImageBuild {
  /** Build context: a directory on the machine running Terraform. */
  readonly contextPath: string;
  /** Dockerfile path, relative to the context. */
  readonly dockerfile: string;
  /** @default - the Dockerfile's last stage */
  readonly target?: string;
}

export interface ContainerImageProps {
  /**
   * Image reference (`repo:tag` or `repo@sha256:…`), usually a Terraform variable whose default comes
   * from the environment settings. With `build`, the tag the build produces.
   */
  readonly reference: string;
  /** @default - pulled (or found locally) by reference, not built */
  readonly build?: ImageBuild;
  /**
   * The image is pulled or built only while this holds (`count`). Every service that uses the image
   * must have the same `enabledWhen` (a `Service` refuses to build otherwise): a service that may
   * exist without its image would reference an instance that does not exist.
   * @default - always pulled or built
   */
  readonly enabledWhen?: Condition;
}

/**
 * A `docker_image`. Containers reference it by `imageId`, never by name: a name in the container's
 * `image` makes every plan replace the container (provider pitfall).
 */
export class ContainerImage extends Construct {
  readonly resource: DockerImage;
  readonly reference: string;
  /** While the image exists. @default - always */
  readonly enabledWhen?: Condition;
  private cachedImageId?: string;

  constructor(scope: Construct, id: string, props: ContainerImageProps) {
    super(scope, id);
    this.reference = props.reference;
    this.enabledWhen = props.enabledWhen;
    this.resource = new DockerImage(this, "Resource", {
      name: props.reference,
      // Images are shared by stacks on one host and cheap to pull again; never delete them on destroy.
      keepLocally: true,
      buildAttribute: props.build
        ? { context: props.build.contextPath, dockerfile: props.build.dockerfile, target: props.build.target, tag: [props.reference] }
        : undefined,
      count: props.enabledWhen?.count,
    });
    addressImage(this.resource, readableLogicalId(this));
  }

  /**
   * The reference a swarm service runs: the registry digest (`repo@sha256:…`) when the image came
   * from a registry, else the name (an image loaded onto every node). Swarm resolves a tag to a
   * digest itself, so a name alone would read back changed and plan an update on every run.
   */
  get swarmReference(): string {
    const address = `${this.resource.terraformResourceType}.${this.resource.friendlyUniqueId}${this.enabledWhen !== undefined ? "[0]" : ""}`;
    return `\${${address}.repo_digest != "" ? ${address}.repo_digest : ${address}.name}`;
  }

  /** The image id (`sha256:…`) to put in a container's `image`: one token per image, however many containers read it. */
  get imageId(): string {
    // A counted resource is addressed by instance; only containers with the same condition read it.
    this.cachedImageId ??=
      this.enabledWhen !== undefined
        ? `\${${this.resource.terraformResourceType}.${this.resource.friendlyUniqueId}[0].image_id}`
        : this.resource.imageId;
    return this.cachedImageId;
  }
}
