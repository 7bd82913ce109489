import { Construct } from "../../lib/cdk";
import { Service } from "../../lib";
import { ServiceParts } from "../service-parts";
import { JessyContext, jessyServiceBasics } from "./context";
import { JESSY_UID, MMAP_PATH, mmapInitScript } from "./layout";

/**
 * Upstream creates the mmap layout on the host before `up` (init-mmap-volumes.sh); here a one-shot
 * container does it inside the volume, so a remote Docker host needs no script. It runs the
 * jessy-core image (both stages ship /bin/sh and coreutils), so no extra image is pinned.
 */
export function mmapInitService(scope: Construct, ctx: JessyContext): ServiceParts {
  const service = new Service(scope, "MmapInit", {
    ...jessyServiceBasics(ctx, "mmapInit"),
    resources: ctx.settings.resources.mmapInit,
    image: ctx.coreImage,
    user: "0:0",
    rootReason: `creates the mmap layout and chowns it to UID ${JESSY_UID} (upstream: owner 1000, mode 755)`,
    // CHOWN for the chown; FOWNER and DAC_OVERRIDE to chmod and mkdir in directories already owned by 1000 on a re-run.
    capabilities: ["CHOWN", "DAC_OVERRIDE", "FOWNER"],
    entrypoint: ["/bin/sh", "-c"],
    command: [mmapInitScript()],
    networks: [{ network: ctx.network }],
    volumes: [ctx.mmapVolume.mount(MMAP_PATH)],
    oneShot: true,
  });
  return { service };
}
