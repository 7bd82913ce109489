import { Condition } from "../../lib";
import { Construct, TerraformOutput, TerraformVariable } from "../../lib/cdk";
import { EnvironmentSettings } from "../../config/settings";
import { JESSY_SERVICES } from "../../config/jessy/services";
import { SystemStack } from "../system-stack";
import { Jessy } from "./jessy";
import { API_PORT } from "./layout";

/** `jessy-<env>`: jessy-core and jessy-api (and, where the settings model it, the test profile). */
export class JessyStack extends SystemStack {
  readonly jessy: Jessy;

  constructor(scope: Construct, settings: EnvironmentSettings) {
    super(scope, { system: "jessy", settings, deployment: settings.jessy.deployment });
    const j = settings.jessy;

    const sourcePath = j.source
      ? new TerraformVariable(this, "jessy_source_path", {
          type: "string",
          default: j.source.path,
          nullable: false,
          description:
            "Absolute path of the Jessy checkout: image build context, and bind-mount source for hot reload and tests on the Docker host.",
          validation: [
            { condition: '${startswith(var.jessy_source_path, "/")}', errorMessage: "jessy_source_path must be an absolute path." },
          ],
        })
      : undefined;

    // Compose starts the `test` profile only on request (`--profile test`); so does this variable.
    const testProfile = j.testProfile
      ? new TerraformVariable(this, "jessy_test_profile", {
          type: "bool",
          default: false,
          nullable: false,
          description:
            "Run upstream's test profile (jessy-test, unit, integration, BDD, coverage) as one-shot containers. Set false again to remove them.",
        })
      : undefined;

    // Built images are named by the settings' tags; only pulled images are a deploy-time choice.
    const images = this.imageVariablesOf(JESSY_SERVICES, j);
    this.jessy = new Jessy(this, "Jessy", j, {
      namePrefix: this.namePrefix,
      images: { core: images.core ?? j.images.core, api: images.api ?? j.images.api },
      sourcePath: sourcePath?.stringValue,
      testProfile:
        j.testProfile && testProfile
          ? { coverageImage: images.coverage ?? j.testProfile.coverageImage, enabledWhen: Condition.whenTrue(testProfile) }
          : undefined,
      protectData: settings.protectData,
    });

    this.backUp(this.jessy.backupSources);

    new TerraformOutput(this, "core_container", { value: this.jessy.core.resource.name });
    // On a swarm a loopback-only port is not published: the API is reached on the stack's network.
    new TerraformOutput(this, "api_url", {
      value:
        this.target.kind === "swarm"
          ? `http://${this.jessy.api.name}:${API_PORT} (on the overlay network ${this.jessy.network.name})`
          : `http://127.0.0.1:${j.hostPorts.api}`,
    });
    new TerraformOutput(this, "mmap_volume", { value: this.jessy.mmapVolume.name });
  }
}
