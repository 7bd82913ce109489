import { Construct } from "../../lib/cdk";
import { CONTAINERS, deploymentTargetOf, setDeploymentTarget } from "../../lib/target";
import { scratchStack, STAGING_SWARM } from "../helpers";

describe("deployment target", () => {
  test("defaults to plain containers", () => {
    const { stack, network } = scratchStack();
    expect(deploymentTargetOf(stack)).toEqual(CONTAINERS);
    expect(deploymentTargetOf(network)).toEqual({ kind: "containers" });
  });
  test("every construct below the stack sees the stack's target", () => {
    const { stack, network } = scratchStack(STAGING_SWARM);
    const nested = new Construct(new Construct(stack, "A"), "B");
    expect([deploymentTargetOf(stack), deploymentTargetOf(network), deploymentTargetOf(nested)]).toEqual([
      STAGING_SWARM,
      STAGING_SWARM,
      STAGING_SWARM,
    ]);
  });
  test("fails when the target is set after children exist (node context cannot change then)", () => {
    const { stack } = scratchStack();
    expect(() => setDeploymentTarget(stack, STAGING_SWARM)).toThrow();
  });
});
