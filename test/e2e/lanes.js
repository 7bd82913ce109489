"use strict";
/**
 * The e2e lanes: the one place that says which real-engine files may run at the same time. Files of
 * one lane run one after another, in the order given; lanes run in parallel; `alone` files run after
 * every lane, one at a time, with nothing beside them. The lane runner (scripts/e2e-lanes.js) refuses
 * a file that no lane claims, or that two claim.
 *
 * What lanes must not share (each `why` says which of these ties a lane's files together):
 * - a Docker engine that a file restarts (07 restarts the local dockerd);
 * - a state-backend schema (stacks of the same name share `<system>_<env>` in the suite's PostgreSQL);
 * - a Docker name or host port (containers, volumes, networks of the same stack);
 * - a test bed's engines (the swarm bed, the remote-hosts bed), which the files bring up and take down;
 * - a fault that is not scoped to its own stack (none now: 02 blocks the backup host for its own
 *   runner only, `block-backup`, and the service-hosts bed's `up` and `down` take a lock).
 * Shared and safe: the local engine itself, the suite's PostgreSQL (one schema per stack), the
 * service-hosts bed (one repository per stack, one webhook receiver that only 04 reads).
 */
const lanes = [
  {
    name: "swarm",
    files: ["05-zfs-sync-staging", "09-jessy-staging-swarm"],
    why: "both run on the swarm test bed (scripts/swarm-testbed.sh: three dockerd nodes), which each brings up and takes down",
  },
  {
    name: "local-engine",
    files: ["01-zcash-dev", "02-jessy-dev", "06-production-protection"],
    why: "jessy-dev publishes 3000 and 8080, the host ports zcash-production's plan in 06 names (06 applies jessy-production and zfs-sync-production, plans zcash-production); kept in one lane so that no file ever applies beside another that uses the same ports",
  },
  {
    name: "zcash-staging",
    files: ["04-zcash-staging", "10-remote-hosts"],
    why: "both deploy zcash-staging, so they share its state schema (zcash_staging) and its names; 10 also owns the remote-hosts bed",
  },
  {
    name: "secret-length-plan",
    files: ["12-secret-length-plan"],
    why: "plans the production stacks from its own synth against a Docker socket that does not exist, with local state files: it touches no engine, state schema, test bed, name or port, so it runs beside anything",
  },
  {
    name: "zfs-sync-dev",
    files: ["00-provider-behaviour", "03-zfs-sync-dev", "08-upgrade-addresses", "90-plan-summary", "13-operator-cli"],
    why: "03, 08 and 13 deploy zfs-sync-dev (its names and port 8000; 13 keeps its state in a directory of its own); 00 and 90 use names of their own and are short",
  },
  {
    name: "opentofu",
    files: ["11-opentofu"],
    why: "runs OpenTofu on a stack of its own (tofu-e2e-* names, no host port, state schema tofu_e2e_staging in this lane's database): it shares no engine restart, bed, name, port or schema with another lane",
  },
];

const alone = [
  {
    file: "07-engine-restart",
    why: "restarts the local dockerd: every container of every other lane would stop under it",
  },
];

/**
 * What is wrong with the declaration for these e2e files (names without `.e2e.test.ts`): a file no
 * lane claims, one claimed twice, a claimed file that does not exist, a lane or file without a reason.
 */
function claimProblems(files) {
  const claims = new Map();
  for (const lane of lanes) for (const f of lane.files) claims.set(f, [...(claims.get(f) || []), `lane ${lane.name}`]);
  for (const a of alone) claims.set(a.file, [...(claims.get(a.file) || []), "alone"]);
  const problems = [];
  for (const f of files)
    if (!claims.has(f)) problems.push(`${f}.e2e.test.ts is in no lane: add it to a lane of test/e2e/lanes.js (docs/e2e.md, "Lanes")`);
  for (const [f, by] of claims) {
    if (!files.includes(f)) problems.push(`test/e2e/lanes.js names ${f}, which is not a file of test/e2e`);
    if (by.length > 1) problems.push(`${f} is claimed twice (${by.join(", ")})`);
  }
  for (const x of [...lanes, ...alone]) if (!x.why || x.why.trim().length < 20) problems.push(`${x.name || x.file} has no reason (why)`);
  return problems;
}

module.exports = { lanes, alone, claimProblems };
