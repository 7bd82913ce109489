import * as fs from "fs";
import * as path from "path";

/** Files under `dir` (recursively) with the config/ files each one imports. */
function importGraph(dir: string): Map<string, string[]> {
  const files = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith(".ts")).map((f) => path.join(dir, f));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const source = fs.readFileSync(file, "utf8");
    const specifiers = [...source.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+["'](\.[^"']*)["']/gms)].map((m) => m[1]);
    const targets = specifiers
      .map((s) => path.resolve(path.dirname(file), s))
      .map((t) => [`${t}.ts`, path.join(t, "index.ts")].find((f) => files.includes(f)))
      .filter((t): t is string => t !== undefined);
    graph.set(file, targets);
  }
  return graph;
}

/** One import cycle as a list of files (the first repeated at the end), or undefined. */
function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const done = new Set<string>();
  const visit = (file: string, stack: string[]): string[] | undefined => {
    if (stack.includes(file)) return [...stack.slice(stack.indexOf(file)), file];
    if (done.has(file)) return undefined;
    for (const next of graph.get(file) ?? []) {
      const cycle = visit(next, [...stack, file]);
      if (cycle) return cycle;
    }
    done.add(file);
    return undefined;
  };
  for (const file of graph.keys()) {
    const cycle = visit(file, []);
    if (cycle) return cycle;
  }
  return undefined;
}

describe("config/ imports", () => {
  const root = path.resolve(__dirname, "../../config");

  test("form no cycle", () => {
    const graph = importGraph(root);
    expect(graph.size).toBeGreaterThan(5);
    expect(findCycle(graph)?.map((f) => path.relative(root, f))).toBeUndefined();
  });

  test("the cycle check finds a cycle", () => {
    const graph = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts"]],
      ["c.ts", ["a.ts"]],
    ]);
    expect(findCycle(graph)).toEqual(["a.ts", "b.ts", "c.ts", "a.ts"]);
  });
});
