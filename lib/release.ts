import { IConstruct } from "./cdk";

/**
 * The release a deployment came from (`<package version>+<commit>`, e.g. `0.1.0+ccea108`), carried
 * as the `release` label so that "what is deployed where?" is answered from the Docker host
 * (`docker inspect`, `z3ops status`). main.ts reads it from the checkout (or STACK_RELEASE) and puts
 * it in the app's context; without it (tests, generated docs) no resource carries the label, so
 * their output does not change with every commit.
 *
 * Carriers (docs/operations.md, "Release labels"): on a container the label forces replacement in
 * the docker provider, so a new release replaces each long-running container once (volumes, and so
 * data, are kept); on a swarm service it sits on the service, not on its task template, so a new
 * release updates the service in place and restarts no task.
 */
export const RELEASE_CONTEXT_KEY = "z3:release";
export const RELEASE_LABEL = "release";

/** A label value Docker and Terraform take as is: no spaces, quotes or `${`. */
const RELEASE_PATTERN = /^[0-9A-Za-z][0-9A-Za-z._+-]{0,79}$/;

/** Throws when `release` cannot be a label value; returns it otherwise. */
export function validRelease(release: string, source: string): string {
  if (!RELEASE_PATTERN.test(release))
    throw new Error(
      `${source} ${JSON.stringify(release)}: a release is letters, digits, '.', '_', '+', '-' (at most 80, starting with a letter or digit)`,
    );
  return release;
}

/**
 * The release of a checkout: the override when set (CI and tests pin it, so a synth is reproducible),
 * else `<version>+<commit>`, else the version alone (no git, or not a checkout).
 */
export function releaseOf(input: { readonly override?: string; readonly version: string; readonly commit?: string }): string {
  if (input.override !== undefined && input.override !== "") return validRelease(input.override, "STACK_RELEASE");
  const commit = input.commit?.trim();
  return validRelease(commit ? `${input.version}+${commit}` : input.version, "the checkout's release");
}

/** `{ release: … }` when the app was given a release, else nothing. Called once by each renderer. */
export function releaseLabels(scope: IConstruct): Readonly<Record<string, string>> {
  const release: unknown = scope.node.tryGetContext(RELEASE_CONTEXT_KEY);
  if (release === undefined || release === null || release === "") return {};
  if (typeof release !== "string") throw new Error(`${scope.node.path}: context ${RELEASE_CONTEXT_KEY} must be a string`);
  return { [RELEASE_LABEL]: validRelease(release, `context ${RELEASE_CONTEXT_KEY}`) };
}
