/** Generated blocks inside hand-written Markdown: the text between a start and an end marker. */

/** `doc` with the block between `start` and `end` (markers included) replaced by `block`; throws when the markers are missing. */
export function withBlock(doc: string, start: string, end: string, block: string, name = "the document"): string {
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${name} has no ${start} … ${end} block`);
  return doc.slice(0, from) + block + doc.slice(to + end.length);
}
