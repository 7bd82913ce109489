import { ENVIRONMENTS } from "./config/environments";
import { synthesize } from "./app";

/** Entry point: settings → stacks → cdktf.out/stacks/<system>-<env>/cdk.tf.json. */
process.exitCode = synthesize(ENVIRONMENTS);
