/** What the settings tests share: a writable copy of the shipped settings and the problem lines. */
import { ENVIRONMENTS } from "../../config/environments";
import { SettingsError, validateSettings } from "../../config/settings";

export type Mutable<T> = { -readonly [K in keyof T]: Mutable<T[K]> };

/** A deep, writable copy of the shipped settings of every environment. */
export const clone = (): Mutable<typeof ENVIRONMENTS> => JSON.parse(JSON.stringify(ENVIRONMENTS));

/** The problem lines `validateSettings` reports (`[env] path: got X; allowed: Y`), or none. */
export function problems(all: unknown): string[] {
  try {
    validateSettings(all as typeof ENVIRONMENTS);
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(SettingsError);
    return (e as Error).message
      .split("\n")
      .slice(1)
      .map((line) => line.replace(/^ {2}- /, ""));
  }
}

/** Writes `fields` into an object of the settings whatever their types: a test of a key or value the settings refuse. */
export function put(target: object, fields: Record<string, unknown>): void {
  Object.assign(target, fields);
}

/** Removes a key from an object of the settings, required or not: a test of a missing setting. */
export function remove(target: object, key: string): void {
  Reflect.deleteProperty(target, key);
}
