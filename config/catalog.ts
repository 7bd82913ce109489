/**
 * A system's service catalog: each service declared once, with what the settings schema, the stack
 * and the README derive from it (config/<system>/services.ts holds each system's catalog).
 */

/** The image a service runs and how the stack lets a deployment choose it. */
export interface CatalogImage<S> {
  /** The stack's Terraform variable is `<variable>_image`, defaulting to `reference`. */
  readonly variable: string;
  /** The settings' image reference. */
  readonly reference: (settings: S) => string | undefined;
  /**
   * Whether the image is pulled by reference (then the variable exists); an image Terraform builds
   * is named by the settings' tag instead. @default - always pulled
   */
  readonly pulled?: (settings: S) => boolean;
}

/** One service of a system. */
export interface CatalogEntry<S> {
  /** What it is, in a few words (the README's service table). */
  readonly summary: string;
  /** The last part of its Docker name (`<prefix>-<name>`), which is also its upstream service name. */
  readonly name: string;
  /** Its own image. @default - none: it runs the image of another service (`runs`) or one the stack builds */
  readonly image?: CatalogImage<S>;
  /** Where it gets its image when it has none of its own (the README's service table). @default - its own */
  readonly runs?: string;
  /** Whether the settings deploy it. */
  readonly deployedWhen: (settings: S) => boolean;
  /** The settings that deploy it, for the README (`always` when it is always deployed). */
  readonly deployedWhenText: string;
  /** It keeps no state on a node: the swarm target may run several tasks (`deployment.replicas.<key>`). */
  readonly replicable: boolean;
  /** It owns a stateful volume (backed up, `prevent_destroy` in production); a string says when. */
  readonly stateful: boolean | string;
}

/** A system's catalog: its services by settings key, in the order the stack declares their image variables. */
export type ServiceCatalog<K extends string, S> = { readonly [P in K]: CatalogEntry<S> };

/** The keys of a catalog, in declaration order, as a non-empty tuple (what `z.enum` takes). */
export function catalogKeys<K extends string>(catalog: ServiceCatalog<K, never>): [K, ...K[]] {
  return Object.keys(catalog) as [K, ...K[]];
}

/** The services the settings deploy, in catalog order. */
export function deployedServices<K extends string, S>(catalog: ServiceCatalog<K, S>, settings: S): K[] {
  return catalogKeys(catalog).filter((name) => catalog[name].deployedWhen(settings));
}

/** The services that may run several tasks on the swarm target. */
export function replicableServices<K extends string>(catalog: ServiceCatalog<K, never>): K[] {
  return catalogKeys(catalog).filter((name) => catalog[name].replicable);
}

/** What a stack needs to declare its image variables: the catalog's images, in catalog order. */
export interface ImageVariableRequest<K extends string> {
  readonly service: K;
  readonly variable: string;
  readonly reference: string;
}

/** The image variables the settings call for: one per deployed service that pulls an image of its own. */
export function imageVariableRequests<K extends string, S>(catalog: ServiceCatalog<K, S>, settings: S): ImageVariableRequest<K>[] {
  return deployedServices(catalog, settings).flatMap((service) => {
    const image = catalog[service].image;
    const reference = image?.reference(settings);
    if (image === undefined || reference === undefined || !(image.pulled?.(settings) ?? true)) return [];
    return [{ service, variable: image.variable, reference }];
  });
}
