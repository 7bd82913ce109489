import { App } from "./lib/cdk";
import { buildApp } from "./app";
import { ENVIRONMENTS } from "./config/environments";
import { SettingsError } from "./config/validate";
import { ConstructValidationError } from "./lib/validation";

/** Entry point: settings → stacks → cdktf.out/stacks/<system>-<env>/cdk.tf.json. */
function main(): number {
  try {
    const app = new App();
    buildApp(app, ENVIRONMENTS);
    app.synth();
    return 0;
  } catch (error) {
    if (error instanceof SettingsError || error instanceof ConstructValidationError) {
      process.stderr.write(`synth failed: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

process.exitCode = main();
