/**
 * Rebuilds the flattened form some SDKs produce for unserialized objects (`Sources.1.URI=…`,
 * `Tag.1.Key=…`: 1-based indices, nested with dots) into arrays and objects. Only applied when the
 * top-level name itself is absent, so the JSON-in-param form always takes precedence.
 * Objects are built with `Object.fromEntries`, so keys like `__proto__` stay plain own properties.
 */
import { Errors } from './errors.ts';

type Node = { leaf: string } | { children: Map<string, Node> };

const INDEX = /^[1-9]\d{0,8}$/;
const MAX_DEPTH = 16;

export function rebuildFlattened(params: Map<string, string>): Record<string, unknown> {
  const roots = new Map<string, Node>();
  const result = new Map<string, unknown>();
  for (const [key, value] of params) {
    const segments = key.split('.');
    const flattened = segments.length > 1 && segments.every((s) => s !== '') && !params.has(segments[0]!);
    if (!flattened) {
      result.set(key, value);
      continue;
    }
    if (segments.length > MAX_DEPTH)
      throw Errors.invalidArgument(`The parameter ${key} is nested too deeply.`);
    insert(roots, segments, value, key);
  }
  for (const [name, node] of roots) result.set(name, materialize(node));
  return Object.fromEntries(result);
}

function insert(roots: Map<string, Node>, segments: string[], value: string, key: string): void {
  let level = roots;
  for (let i = 0; i < segments.length - 1; i++) {
    const segment = segments[i]!;
    let node = level.get(segment);
    if (node === undefined) {
      node = { children: new Map() };
      level.set(segment, node);
    }
    if ('leaf' in node) throw conflict(key);
    level = node.children;
  }
  const last = segments[segments.length - 1]!;
  if (level.has(last)) throw conflict(key);
  level.set(last, { leaf: value });
}

function conflict(key: string) {
  return Errors.invalidArgument(`The parameter ${key} conflicts with another flattened parameter.`);
}

/** A node whose keys are all 1-based indices becomes an array in index order; others become objects. */
function materialize(node: Node): unknown {
  if ('leaf' in node) return node.leaf;
  const keys = [...node.children.keys()];
  if (keys.every((k) => INDEX.test(k))) {
    return keys.sort((a, b) => Number(a) - Number(b)).map((k) => materialize(node.children.get(k)!));
  }
  return Object.fromEntries(keys.map((k) => [k, materialize(node.children.get(k)!)]));
}
