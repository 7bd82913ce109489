import { ENVIRONMENTS } from "../../config/environments";
import { settingsProblems } from "../../config/settings";
import { clone, problems, put, remove } from "./settings-helpers";

/** The environment-level `backup` settings (config/common.ts `backupSchema`) and their refinements. */

const KEYS = "required, image, intervalMinutes, keep, maxAgeMinutes, rebuildable, resources, logging";
const PINNED = "an image reference pinned by a tag other than 'latest' or by @sha256 digest (this environment requires pinned images)";
const IMAGE =
  "an image reference such as repo/name:tag or repo/name@sha256:<digest> (restic 0.17 or later, ssh, pg_dump of the databases' major version, busybox: e2e/real-images/backup/Dockerfile)";
const maxAge = (interval: number) => `more than backup.intervalMinutes (${interval}): a snapshot is at least that old before the next run`;

describe("shipped backup settings", () => {
  test("every environment validates", () => {
    expect(problems(ENVIRONMENTS)).toEqual([]);
    for (const env of Object.values(ENVIRONMENTS)) expect([env.name, settingsProblems(env)]).toEqual([env.name, []]);
  });
  test("production requires backups with limits and a pinned image; dev and staging make them optional", () => {
    expect(ENVIRONMENTS.production.backup).toMatchObject({
      required: true,
      image: "z3-infra/backup:1.0.0",
      resources: { memoryMiB: 512, cpus: 0.5 },
    });
    expect(ENVIRONMENTS.staging.backup).toMatchObject({ required: false, image: "z3-infra/backup:1.0.0" });
    expect(ENVIRONMENTS.dev.backup).toMatchObject({ required: false });
  });
  test("each environment's newest snapshot may be older than one interval, never older than maxAgeMinutes", () => {
    for (const env of Object.values(ENVIRONMENTS))
      expect([env.name, env.backup!.maxAgeMinutes > env.backup!.intervalMinutes]).toEqual([env.name, true]);
  });
  test("rebuildable data (chain, index, metrics) is skipped everywhere", () => {
    for (const env of Object.values(ENVIRONMENTS)) expect([env.name, env.backup!.rebuildable]).toEqual([env.name, "skip"]);
  });
});

describe("backup settings validation", () => {
  test("fails when production has no backup settings", () => {
    const all = clone();
    delete all.production.backup;
    expect(problems(all)).toEqual([
      "[production] backup: got (not set); allowed: backup settings in the production environment (every stateful volume is backed up: image, intervalMinutes, keep, maxAgeMinutes, rebuildable, resources, logging)",
    ]);
  });
  test("dev and staging may go without backup settings (then no stack of theirs is backed up)", () => {
    const all = clone();
    delete all.dev.backup;
    delete all.staging.backup;
    expect(problems(all)).toEqual([]);
  });
  test("fails when production's backups are not required", () => {
    const all = clone();
    all.production.backup!.required = false;
    expect(problems(all)).toEqual([
      "[production] backup.required: got false; allowed: true in the production environment (no deploy without a backup destination)",
    ]);
  });
  test("dev and staging may require backups", () => {
    const all = clone();
    all.dev.backup!.required = true;
    all.staging.backup!.required = true;
    expect(problems(all)).toEqual([]);
  });
  test("fails when staging's image is not pinned (latest, or no tag)", () => {
    const all = clone();
    all.staging.backup!.image = "z3-infra/backup:latest";
    expect(problems(all)).toEqual([`[staging] backup.image: got "z3-infra/backup:latest"; allowed: ${PINNED}`]);
    all.staging.backup!.image = "z3-infra/backup";
    expect(problems(all)).toEqual([`[staging] backup.image: got "z3-infra/backup"; allowed: ${PINNED}`]);
  });
  test("fails when production's image is not pinned", () => {
    const all = clone();
    all.production.backup!.image = "z3-infra/backup:latest";
    expect(problems(all)).toEqual([`[production] backup.image: got "z3-infra/backup:latest"; allowed: ${PINNED}`]);
  });
  test("a digest pins the image", () => {
    const all = clone();
    all.production.backup!.image = `registry.example.com:5000/backup@sha256:${"a".repeat(64)}`;
    expect(problems(all)).toEqual([]);
  });
  test("dev accepts latest but fails when the image is not an image reference", () => {
    const all = clone();
    all.dev.backup!.image = "z3-infra/backup:latest";
    expect(problems(all)).toEqual([]);
    all.dev.backup!.image = "Not An Image";
    expect(problems(all)).toEqual([`[dev] backup.image: got "Not An Image"; allowed: ${IMAGE}`]);
  });
  test("fails when production's runner has no limits", () => {
    const all = clone();
    delete all.production.backup!.resources;
    expect(problems(all)).toEqual([
      "[production] backup.resources.memoryMiB: got (not set); allowed: a memory limit in MiB (this environment requires resource limits)",
      "[production] backup.resources.cpus: got (not set); allowed: a CPU limit in cores (this environment requires resource limits)",
    ]);
  });
  test("fails when production's runner has a memory limit but no CPU limit", () => {
    const all = clone();
    all.production.backup!.resources = { memoryMiB: 512 };
    expect(problems(all)).toEqual([
      "[production] backup.resources.cpus: got (not set); allowed: a CPU limit in cores (this environment requires resource limits)",
    ]);
  });
  test("fails when a limit is not sane", () => {
    const all = clone();
    all.dev.backup!.resources = { memoryMiB: 2, cpus: 0 };
    expect(problems(all)).toEqual([
      "[dev] backup.resources.memoryMiB: got 2; allowed: an integer from 6 (Docker's minimum) to 4194304 (4 TiB)",
      "[dev] backup.resources.cpus: got 0; allowed: a number of cores above 0 and at most 256",
    ]);
  });
  test("fails when maxAgeMinutes equals intervalMinutes", () => {
    const all = clone();
    all.dev.backup!.maxAgeMinutes = 60;
    expect(problems(all)).toEqual([`[dev] backup.maxAgeMinutes: got 60; allowed: ${maxAge(60)}`]);
  });
  test("fails when maxAgeMinutes is below intervalMinutes", () => {
    const all = clone();
    all.staging.backup!.maxAgeMinutes = 300;
    expect(problems(all)).toEqual([`[staging] backup.maxAgeMinutes: got 300; allowed: ${maxAge(360)}`]);
  });
  test("fails when maxAgeMinutes is below its minimum (and so below the interval)", () => {
    const all = clone();
    all.dev.backup!.maxAgeMinutes = 5;
    expect(problems(all)).toEqual([
      "[dev] backup.maxAgeMinutes: got 5; allowed: an integer from 10 to 20160",
      `[dev] backup.maxAgeMinutes: got 5; allowed: ${maxAge(60)}`,
    ]);
  });
  test("fails when intervalMinutes is out of range or not whole", () => {
    const all = clone();
    all.dev.backup!.intervalMinutes = 1;
    expect(problems(all)).toEqual(["[dev] backup.intervalMinutes: got 1; allowed: an integer from 5 to 10080"]);
    all.dev.backup!.intervalMinutes = 7.5;
    expect(problems(all)).toEqual(["[dev] backup.intervalMinutes: got 7.5; allowed: an integer from 5 to 10080"]);
    all.dev.backup!.intervalMinutes = 7 * 24 * 60 + 1;
    all.dev.backup!.maxAgeMinutes = 20000;
    expect(problems(all)).toEqual(["[dev] backup.intervalMinutes: got 10081; allowed: an integer from 5 to 10080"]);
  });
  test("fails when a keep count is out of range", () => {
    const all = clone();
    all.dev.backup!.keep.daily = 0;
    all.dev.backup!.keep.weekly = 261;
    all.dev.backup!.keep.withinHours = 0;
    expect(problems(all)).toEqual([
      "[dev] backup.keep.withinHours: got 0; allowed: an integer from 1 to 8784",
      "[dev] backup.keep.daily: got 0; allowed: an integer from 1 to 366",
      "[dev] backup.keep.weekly: got 261; allowed: an integer from 0 to 260",
    ]);
  });
  test("fails when rebuildable is neither skip nor include", () => {
    const all = clone();
    put(all.dev.backup!, { rebuildable: "never" });
    expect(problems(all)).toEqual(['[dev] backup.rebuildable: got "never"; allowed: one of "skip", "include"']);
  });
  test("fails when required is not a boolean", () => {
    const all = clone();
    put(all.dev.backup!, { required: "yes" });
    expect(problems(all)).toEqual(['[dev] backup.required: got "yes"; allowed: true or false']);
    remove(all.dev.backup!, "required");
    expect(problems(all)).toEqual(["[dev] backup.required: got (not set); allowed: true or false"]);
  });
  test("fails on an unknown key, naming it", () => {
    const all = clone();
    put(all.dev.backup!, { schedule: "@hourly" });
    expect(problems(all)).toEqual([`[dev] backup.schedule: got "@hourly"; allowed: no key \`schedule\` (keys of backup: ${KEYS})`]);
  });
  test("fails on an unknown keep key, naming it", () => {
    const all = clone();
    put(all.dev.backup!.keep, { yearly: 1 });
    expect(problems(all)).toEqual([
      "[dev] backup.keep.yearly: got 1; allowed: no key `yearly` (keys of backup.keep: withinHours, daily, weekly, monthly)",
    ]);
  });
  test("fails when backup is not an object", () => {
    const all = clone();
    put(all.dev, { backup: true });
    expect(problems(all)).toEqual([`[dev] backup: got true; allowed: backup settings: ${KEYS}`]);
  });
  test("reports every problem of every environment at once", () => {
    const all = clone();
    all.production.backup!.required = false;
    all.production.backup!.image = "z3-infra/backup:latest";
    all.staging.backup!.maxAgeMinutes = 360;
    expect(problems(all)).toEqual([
      `[staging] backup.maxAgeMinutes: got 360; allowed: ${maxAge(360)}`,
      "[production] backup.required: got false; allowed: true in the production environment (no deploy without a backup destination)",
      `[production] backup.image: got "z3-infra/backup:latest"; allowed: ${PINNED}`,
    ]);
  });
});
