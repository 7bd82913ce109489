/**
 * Docker image reference rules, shared by the settings validation (synth time) and the `*_image`
 * Terraform variables' validation blocks (plan time), so both accept exactly the same strings.
 */

/**
 * `[registry[:port]/]path[:tag][@sha256:digest]`, lower-case path components as Docker requires; the
 * first component is a registry only with a dot, a port or `localhost` (Docker's rule).
 */
export const IMAGE_REFERENCE_PATTERN =
  "^(([a-zA-Z0-9-]+[.])+[a-zA-Z0-9-]+(:[0-9]+)?/|localhost(:[0-9]+)?/|[a-zA-Z0-9-]+:[0-9]+/)?[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$";

/** A pinned reference has a digest, or a tag other than `latest`. */
export const PINNED_IMAGE_PATTERN = "(@sha256:[a-f0-9]{64}$|:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$)";

const reference = new RegExp(IMAGE_REFERENCE_PATTERN);
const pinned = new RegExp(PINNED_IMAGE_PATTERN);

export function isImageReference(ref: string): boolean {
  return reference.test(ref);
}

/** The tag of a reference (`repo:tag` or `repo:tag@sha256:…`), if it has one. */
export function imageTag(ref: string): string | undefined {
  return ref.replace(/@sha256:[a-f0-9]{64}$/, "").match(/:([A-Za-z0-9_][A-Za-z0-9_.-]*)$/)?.[1];
}

export function isPinnedImageReference(ref: string): boolean {
  if (!reference.test(ref) || !pinned.test(ref)) return false;
  const tag = imageTag(ref);
  return ref.includes("@sha256:") || (tag !== undefined && tag !== "latest");
}
