/**
 * The connections a stack models, for `npm run verify`: service A needs service B when A's
 * `depends_on` names B, or when A's configuration addresses one of B's network aliases
 * (`zebra:18232`, `http://jessy-core:8080`, `@postgres:5432`). Ports checked on B: the ports A's
 * configuration names with the alias, B's published container ports, and the ports B declares it
 * listens on (health check URL, `0.0.0.0:<port>` listen and metrics addresses).
 */
import { ServiceModel, StackModel } from "./expected-stack";

export interface Link {
  readonly from: ServiceModel;
  readonly to: ServiceModel;
  /** The name A reaches B by; undefined when they share no network and A never addresses B. */
  readonly alias?: string;
  readonly ports: readonly number[];
  /** Why the connection is modelled: `depends_on`, `addressed as zebra:18232`. */
  readonly reasons: readonly string[];
  /** Networks both are attached to. */
  readonly sharedNetworks: readonly string[];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Where `text` addresses `alias`: its ports (`alias:port`), and whether it appears as a URL host. */
export function addressing(text: string, alias: string): { ports: number[]; addressed: boolean } {
  const a = escape(alias);
  const ports = [...text.matchAll(new RegExp(`(?<![\\w.-])${a}:(\\d{1,5})\\b`, "g"))].map((m) => Number(m[1]));
  const url = new RegExp(`://(?:[^@/\\s"']*@)?${a}(?=[/:"'\\s]|$)`).test(text);
  return { ports: [...new Set(ports)], addressed: ports.length > 0 || url };
}

/** The alias to use for B on a shared network: one A addresses, else B's first alias other than its name. */
function aliasesOn(to: ServiceModel, networks: readonly string[]): string[] {
  const out: string[] = [];
  for (const n of to.networks) if (networks.includes(n.network)) for (const a of n.aliases) if (!out.includes(a)) out.push(a);
  return out;
}

export function modelledLinks(model: StackModel): Link[] {
  const links: Link[] = [];
  const services = model.services.filter((s) => s.deployed !== false);
  for (const from of services) {
    const fromNetworks = from.networks.map((n) => n.network);
    for (const to of services) {
      if (to === from) continue;
      const shared = to.networks.map((n) => n.network).filter((n) => fromNetworks.includes(n));
      // Aliases on shared networks first; any alias of B if A addresses it anyway (a broken model).
      const candidates = [
        ...aliasesOn(to, shared),
        ...(shared.length
          ? []
          : aliasesOn(
              to,
              to.networks.map((n) => n.network),
            )),
      ];
      if (shared.length && !candidates.includes(to.name)) candidates.push(to.name);
      const reasons: string[] = [];
      if (from.dependsOn.includes(to.address)) reasons.push("depends_on");
      let alias: string | undefined;
      const addressedPorts: number[] = [];
      for (const a of candidates) {
        const found = addressing(from.text, a);
        if (!found.addressed) continue;
        alias ??= a;
        addressedPorts.push(...found.ports);
        reasons.push(`addressed as ${found.ports.length ? found.ports.map((p) => `${a}:${p}`).join(", ") : a}`);
      }
      if (reasons.length === 0) continue;
      if (alias === undefined && shared.length) alias = candidates.find((a) => a !== to.name) ?? to.name;
      const published = to.ports.filter((p) => p.protocol === "tcp").map((p) => p.internal);
      const ports = [...new Set([...addressedPorts, ...published, ...to.listenPorts])].sort((x, y) => x - y);
      links.push({ from, to, alias, ports, reasons, sharedNetworks: shared });
    }
  }
  return links;
}
