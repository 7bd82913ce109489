/**
 * Invariants of the CI workflows that actionlint does not check (scripts/lint-workflows.sh runs
 * actionlint itself): pinned actions and Terraform, no plan JSON leaving a job, minimal permissions,
 * and the pull request's pictures of the stacks it changes. Who gets which secret:
 * workflow-secrets.test.ts.
 */
import * as fs from "fs";
import * as path from "path";

const DIR = path.resolve(__dirname, "..", "..", ".github", "workflows");
const files = fs.existsSync(DIR) ? fs.readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)) : [];
const read = (f: string) => fs.readFileSync(path.join(DIR, f), "utf8");

describe("GitHub workflows", () => {
  test("the expected workflows exist", () => {
    expect(files.sort()).toEqual([
      "apply-production.yml",
      "apply-staging.yml",
      "drift.yml",
      "plan-production.yml",
      "pull-request.yml",
      "terraform-apply.yml",
      "terraform-plan.yml",
      "terraform-provider.yml",
    ]);
  });

  test.each(files)("%s pins every action by commit SHA (with the version as a comment)", (f) => {
    const uses = [...read(f).matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/gm)].map((m) => [m[1], m[2]]);
    for (const [ref, comment] of uses) {
      if (ref.startsWith("./")) continue;
      expect(ref).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
      expect(comment).toMatch(/# v\d+\.\d+\.\d+/);
    }
  });

  test.each(files)("%s sets top-level permissions and never uses pull_request_target", (f) => {
    const text = read(f);
    expect(text).toMatch(/^permissions:\n {2}contents: read\n/m);
    expect(text).not.toContain("pull_request_target");
    expect(text).not.toMatch(/permissions:\s*write-all/);
  });

  test.each(files.filter((f) => /terraform |npm run synth/.test(read(f))))("%s disables checkpoint calls", (f) => {
    expect(read(f)).toMatch(/^ {2}CHECKPOINT_DISABLE: "1"$/m);
  });

  test.each(files.filter((f) => read(f).includes("hashicorp/setup-terraform")))("%s pins Terraform 1.11.4 without the wrapper", (f) => {
    const blocks = read(f).split("hashicorp/setup-terraform@").slice(1);
    for (const block of blocks) {
      const withBlock = block.split("\n").slice(1, 4).join("\n");
      expect(withBlock).toContain("terraform_version: 1.11.4");
      expect(withBlock).toContain("terraform_wrapper: false");
    }
  });

  test("no plan JSON is uploaded: only the encrypted binary plan and the masked summary leave a job", () => {
    for (const f of files) {
      const text = read(f);
      for (const upload of text.split("actions/upload-artifact@").slice(1)) {
        const p = /path:\s*(.+)/.exec(upload)![1];
        expect(p).not.toMatch(/\.json|plan\b/);
        expect(
          p === "${{ runner.temp }}/artifact/" ||
            p.startsWith("${{ runner.temp }}/summary/") ||
            p === "${{ runner.temp }}/pictures/" ||
            // The provider mirror (terraform-provider.yml): a public build, no secret in it.
            p === "${{ runner.temp }}/z3-infra/terraform-providers/" ||
            // OpenTofu (terraform-provider.yml with engine tofu): a public build, no secret in it.
            p === "${{ runner.temp }}/z3-infra/bin/",
        ).toBe(true);
      }
      // Wherever plan JSON is written, it goes to the runner's temp directory and is removed on exit.
      for (const m of text.matchAll(/show -json tfplan >"([^"]+)"/g)) {
        expect(m[1]).toBe("$plan_json");
        expect(text).toContain(`plan_json="$RUNNER_TEMP/plan.json"\n          trap 'rm -f "$plan_json"' EXIT`);
      }
    }
    const plan = read("terraform-plan.yml");
    expect(plan).toContain("openssl enc -aes-256-cbc -pbkdf2");
    expect(plan).toMatch(/retention-days: \$\{\{ inputs\.retention-days \}\}/);
  });

  test("a pull request shows the pictures of each stack whose generated page changed", () => {
    const pr = read("pull-request.yml");
    const job = /^ {2}pictures:\n([\s\S]*?)(?=^ {2}[a-z-]+:\n)/m.exec(pr)?.[1] ?? "";
    expect(job).not.toBe("");
    // No state and no secret: it runs for pull requests from forks too, on the top-level `contents: read`.
    expect(job).not.toMatch(/secrets|environment:|permissions:|needs:/);
    // Only actions the other jobs already use, pinned to the same commits.
    const elsewhere = files.map(read).join("\n").replace(job, "");
    const uses = [...job.matchAll(/uses: (\S+ # v\S+)/g)].map((m) => m[1]);
    expect(uses.map((u) => u.split("@")[0])).toEqual(["actions/checkout", "actions/setup-node", "actions/upload-artifact"]);
    for (const u of uses) expect([u, elsewhere.includes(`uses: ${u}`)]).toEqual([u, true]);
    // Rendered from the change's code with Graphviz, compared with the base branch's pages.
    expect(job).toMatch(/apt-get install [^\n]*graphviz/);
    expect(job).toContain("run: npm run docs");
    expect(job).toContain("BASE_SHA: ${{ github.event.pull_request.base.sha }}");
    expect(job).toContain('git show "$BASE_SHA:$page" | cmp -s - "$page"');
    expect(job).toContain("fetch-depth: 0");
    // The changed stacks' SVGs as an artifact; their Mermaid pictures, and the artifact's name, in the job summary.
    expect(job).toContain("PICTURES_ARTIFACT: stack-pictures");
    expect(job).toMatch(
      /actions\/upload-artifact@[0-9a-f]{40} # v[\d.]+\n {8}with:\n {10}name: \$\{\{ env\.PICTURES_ARTIFACT \}\}\n {10}path: \$\{\{ runner\.temp \}\}\/pictures\/\n/,
    );
    expect(job).toContain('cp "docs/stacks/$stack.svg" "docs/stacks/$stack.dot" "$RUNNER_TEMP/pictures/"');
    expect(job).toContain("awk '/^```mermaid$/");
    expect(job).toContain("artifact **$PICTURES_ARTIFACT**");
    expect(job).toContain('} >>"$GITHUB_STEP_SUMMARY"');
  });

  test("production applies need the production environment and apply the saved plan", () => {
    const prod = read("apply-production.yml");
    expect(prod).toMatch(/tags: \["v\*"\]/);
    expect(prod).toMatch(
      /uses: \.\/\.github\/workflows\/terraform-apply\.yml\n {4}with:\n {6}stack: \$\{\{ matrix\.stack \}\}\n {6}environment: production\n/,
    );
    const apply = read("terraform-apply.yml");
    expect(apply).toContain("apply -input=false -lock-timeout=5m tfplan");
    expect(apply).not.toMatch(/-auto-approve|cdktf deploy/);
    expect(apply).toContain("sha256sum --check --strict");
    expect(apply).toContain("git rev-parse 'HEAD^{tree}'");
  });
});
