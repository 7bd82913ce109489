import { Construct, TerraformOutput, TerraformVariable } from "../../lib/cdk";
import { Condition } from "../../lib";
import { EnvironmentSettings } from "../../config/settings";
import { Z3_SERVICES } from "../../config/z3/services";
import { SystemStack } from "../system-stack";
import { networkProfile } from "./network-profile";
import { ZcashZ3 } from "./zcash-z3";

/** `zcash-<env>`: the Z3 stack on the environment's Docker host. */
export class ZcashStack extends SystemStack {
  readonly z3: ZcashZ3;

  constructor(scope: Construct, settings: EnvironmentSettings) {
    const z = settings.z3;
    // Everything that follows the network, computed here once; the Docker names keep `z3-<network>`.
    const profile = networkProfile(z.network);
    super(scope, { system: "zcash", settings, deployment: z.deployment, namePrefix: profile.namePrefix });
    const images = { ...z.images, ...this.imageVariablesOf(Z3_SERVICES, z) };

    // Two-phase boot (z3 README): a Mainnet or Testnet Zebra is not /ready for hours or days, and
    // Terraform's depends_on only orders creation. Bootstrap with z3_consumers_enabled=false, wait for
    // Zebra's /ready, then apply again with the default (true).
    const consumers = profile.twoPhaseBoot
      ? new TerraformVariable(this, "z3_consumers_enabled", {
          type: "bool",
          default: true,
          nullable: false,
          description: "Deploy Zaino and Zallet. Set false for the first apply of a new node; apply again once Zebra's /ready answers ok.",
        })
      : undefined;

    this.z3 = new ZcashZ3(this, "Z3", z, {
      profile,
      images,
      protectData: settings.protectData,
      consumersEnabledWhen: consumers ? Condition.whenTrue(consumers) : undefined,
    });

    // On the Z3 network as `backup`, where Prometheus finds its metrics.
    const backup = this.backUp(this.z3.backupSources, [{ network: this.z3.network, aliases: ["backup"] }]);
    if (backup && settings.backup)
      this.z3.monitorBackups(backup.runner, { maxAgeMinutes: settings.backup.maxAgeMinutes, optional: !settings.backup.required });

    new TerraformOutput(this, "zebra_container", { value: this.z3.zebra.resource.name });
    new TerraformOutput(this, "network", { value: this.z3.network.name });
  }
}
