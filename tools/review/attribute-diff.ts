/**
 * Attribute-level diff of two resource bodies (plan `before`/`after`, or two synthesized
 * configurations), producing masked, rendered lines only.
 */
import { deepEqual, isEmpty, isObject, Json, normalize, PathPart, stableStringify } from "../lib/json";
import { pairNameIsCredential } from "./mask";
import { anyMarked, Marks, renderValue, subMarks, UNKNOWN } from "./markdown";

export interface AttributeChange {
  /** Attribute path; for set/list element changes, the path of the collection. */
  readonly path: readonly PathPart[];
  /** update: value replaced; add/remove: attribute set/unset, or a collection element added/removed. */
  readonly op: "update" | "add" | "remove";
  /** Masked rendering of the old value (update/remove). */
  readonly before?: string;
  /** Masked rendering of the new value (update/add). */
  readonly after?: string;
  /** The value changed, but only in hidden parts: before and after render the same. */
  readonly hiddenChange?: boolean;
}

export interface DiffInput {
  readonly resourceType: string;
  readonly before: Json | undefined;
  readonly after: Json | undefined;
  readonly beforeSensitive?: Marks;
  readonly afterSensitive?: Marks;
  readonly afterUnknown?: Marks;
  /** Top-level keys to skip (e.g. meta-arguments compared elsewhere). */
  readonly ignoreKeys?: readonly string[];
}

export interface DiffResult {
  readonly changes: AttributeChange[];
  /** Paths (formatted by the caller) whose new value is only known after apply and that had a value before. */
  readonly becameUnknown: PathPart[][];
}

export function diffAttributes(input: DiffInput): DiffResult {
  const changes: AttributeChange[] = [];
  const becameUnknown: PathPart[][] = [];
  const type = input.resourceType;
  const ignore = new Set(input.ignoreKeys ?? []);

  const walk = (path: PathPart[], b: Json | undefined, a: Json | undefined, bs: Marks, as: Marks, au: Marks): void => {
    if (au === true) {
      if (!isEmpty(b)) becameUnknown.push(path);
      return;
    }
    if (deepEqual(b, a) && !anyMarked(au)) return;
    if (isObject(b) && isObject(a)) {
      const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
      // `{label = "api-token", value = "..."}`: the value is a credential when the name is one.
      const hideValue = pairNameIsCredential(b) || pairNameIsCredential(a);
      for (const key of keys) {
        if (path.length === 0 && ignore.has(key)) continue;
        const hide = hideValue && key === "value";
        walk([...path, key], b[key], a[key], hide ? true : subMarks(bs, key), hide ? true : subMarks(as, key), subMarks(au, key));
      }
      return;
    }
    if (Array.isArray(b) && Array.isArray(a)) {
      // Single nested blocks (healthcheck, capabilities...): compare member by member.
      if (b.length === 1 && a.length === 1 && isObject(b[0]) && isObject(a[0])) {
        walk([...path, 0], b[0], a[0], subMarks(bs, 0), subMarks(as, 0), subMarks(au, 0));
        return;
      }
      if (bs === true || as === true) {
        // A whole collection is sensitive: say that it changed, never how.
        changes.push({
          path,
          op: "update",
          before: renderValue(b, path, { resourceType: type, sensitive: bs }),
          after: renderValue(a, path, { resourceType: type, sensitive: as, unknown: au }),
        });
        return;
      }
      // Sets and lists: report elements removed and added (a multiset difference on raw values).
      const remaining = new Map<string, number[]>();
      a.forEach((el, i) => {
        const key = stableStringify(normalize(el));
        remaining.set(key, [...(remaining.get(key) ?? []), i]);
      });
      const removed: number[] = [];
      b.forEach((el, i) => {
        const key = stableStringify(normalize(el));
        const left = remaining.get(key);
        if (left && left.length > 0 && !anyMarked(subMarks(au, left[0]))) left.shift();
        else removed.push(i);
      });
      const removedText = removed.map((i) =>
        renderValue(b[i], [...path, i], { resourceType: type, sensitive: subMarks(bs, i), compact: true }),
      );
      const addedText = [...remaining.values()]
        .flat()
        .sort((x, y) => x - y)
        .map((i) =>
          renderValue(a[i], [...path, i], { resourceType: type, sensitive: subMarks(as, i), unknown: subMarks(au, i), compact: true }),
        );
      // An element that renders the same before and after differs only in hidden parts.
      for (const text of removedText) {
        const twin = addedText.indexOf(text);
        if (twin !== -1) {
          addedText.splice(twin, 1);
          changes.push({ path, op: "update", before: text, after: text, hiddenChange: true });
        } else changes.push({ path, op: "remove", before: text });
      }
      for (const text of addedText) changes.push({ path, op: "add", after: text });
      return;
    }
    const beforeText = renderValue(b ?? null, path, { resourceType: type, sensitive: bs });
    const afterText = renderValue(a ?? null, path, { resourceType: type, sensitive: as, unknown: au });
    if (beforeText === afterText) changes.push({ path, op: "update", before: beforeText, after: afterText, hiddenChange: true });
    else if (isEmpty(b)) changes.push({ path, op: "add", after: afterText });
    else if (isEmpty(a) && !anyMarked(au)) changes.push({ path, op: "remove", before: beforeText });
    else changes.push({ path, op: "update", before: beforeText, after: afterText });
  };

  walk([], input.before ?? null, input.after ?? null, input.beforeSensitive, input.afterSensitive, input.afterUnknown);
  return { changes, becameUnknown };
}

export { UNKNOWN };
