/**
 * Maps a field path (`['spec', 'cpu']`) to where it stands in the YAML source, so that every
 * error can name a line and column an editor can jump to.
 */
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { SourceLocation } from '../errors/index.js';

export type FieldPath = readonly PropertyKey[];

export class SourceLocator {
  constructor(
    private readonly file: string,
    private readonly document: Document,
    private readonly lines: LineCounter,
  ) {}

  /** Location at a byte offset of the source. */
  at(offset: number): SourceLocation {
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, column: col };
  }

  /**
   * Where the value at `path` is; when the path does not exist (a missing field), where its
   * deepest existing parent's key is, which is where the user has to add it.
   */
  value(path: FieldPath): SourceLocation {
    return this.at(this.walk(path).offset);
  }

  /** Where the key `key` of the mapping at `path` is (for unknown keys). */
  key(path: FieldPath, key: string): SourceLocation {
    const found = this.walk(path);
    if (found.complete && isMap(found.node)) {
      const pair = found.node.items.find((item) => isPair(item) && scalarValue(item.key) === key);
      const keyNode = pair?.key;
      if (isScalar(keyNode) && keyNode.range) return this.at(keyNode.range[0]);
    }
    return this.at(found.offset);
  }

  /**
   * Follows `path` through the document. When a segment is missing, stops at the key of the
   * deepest mapping that exists (`spec:` for a missing `spec.project`): that is the line where
   * the field has to be added.
   */
  private walk(path: FieldPath): { node: unknown; offset: number; complete: boolean } {
    let node: unknown = this.document.contents;
    let anchor = 0;
    for (const segment of path) {
      let next: unknown;
      let keyOffset: number | undefined;
      if (isMap(node)) {
        const pair = node.items.find(
          (item) => isPair(item) && scalarValue(item.key) === String(segment),
        );
        next = pair?.value;
        keyOffset = rangeStart(pair?.key);
      } else if (isSeq(node) && typeof segment === 'number') {
        next = node.items[segment];
      }
      // A key with no value (`spec:`) still has a line: point at the key.
      if (next === undefined || next === null) {
        return { node, offset: keyOffset ?? anchor, complete: false };
      }
      node = next;
      anchor = keyOffset ?? rangeStart(next) ?? anchor;
    }
    return { node, offset: rangeStart(node) ?? anchor, complete: true };
  }
}

function scalarValue(node: unknown): string | undefined {
  return isScalar(node) ? String(node.value) : undefined;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | undefined)?.range;
  return range ? range[0] : undefined;
}
