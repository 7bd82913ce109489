import { ENVIRONMENTS } from "../../../config/environments";
import { releaseOfImage, ZEBRA_RELEASES } from "../../../config/z3/zebra-releases";

/**
 * The Zebra releases the suite deploys, from the release table: the shipped default and the release
 * before it (the upgrade path of docs/zebra-upgrades.md). The Zebra stand-in is built once per release
 * as z3-e2e/zebra:<release>, reporting it in zebrad_build_info.
 */
const shipped = releaseOfImage(ENVIRONMENTS.production.z3.images.zebra);
if (!shipped) throw new Error(`the shipped Zebra image ${ENVIRONMENTS.production.z3.images.zebra} is not in config/z3/zebra-releases.ts`);
export const ZEBRA_DEFAULT_RELEASE = shipped.version;
export const ZEBRA_PREVIOUS_RELEASE = ZEBRA_RELEASES[ZEBRA_RELEASES.findIndex((r) => r.version === shipped.version) - 1].version;
export const ZEBRA_STANDIN_RELEASES = [ZEBRA_PREVIOUS_RELEASE, ZEBRA_DEFAULT_RELEASE];

/** The stand-in image of a Zebra release. */
export const zebraStandin = (release: string, prefix = "") => `${prefix}z3-e2e/zebra:${release}`;
