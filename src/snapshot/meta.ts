import { InputError } from '../model/evidence.ts';
import type { Meta } from '../model/snapshot.ts';
import { SNAPSHOT_FORMAT } from '../model/snapshot.ts';
import { isArray, isObject, isString, need, parseJsonText, ptr } from '../parse/json.ts';
import { META_FILE } from './layout.ts';

/** Formats this build reads; a snapshot of another format is refused rather than misread. */
const READABLE_FORMATS: readonly string[] = [SNAPSHOT_FORMAT];

const ORIGINS = ['live', 'example', 'lab', 'synthetic'];

/**
 * Checks the fields of `meta.json` the tool relies on. Fields it does not know pass through, so a
 * snapshot written by a newer capture of the same format stays readable.
 */
export function parseMeta(text: string, file = META_FILE): Meta {
  const root = need(parseJsonText(text, file, 'the snapshot meta object'), isObject, file, '', 'the snapshot meta object');
  const format = need(root.format, isString, file, '/format', `a format string ("${SNAPSHOT_FORMAT}")`);
  if (!READABLE_FORMATS.includes(format)) {
    throw new InputError(file, { pointer: '/format' }, `unsupported snapshot format "${format}"; this build reads ${READABLE_FORMATS.join(', ')}`, 'capture the snapshot again with this version of istio-path, or use the version that wrote it');
  }
  optString(root, 'capturedAt', file);
  if (root.origin !== undefined) need(root.origin, isOneOf(ORIGINS), file, '/origin', `one of ${ORIGINS.join(', ')}`);
  for (const [key, fields] of [['cluster', ['context', 'server']], ['istio', ['version', 'revision']], ['capture', ['nodeAccess']]] as const) {
    const section = optObject(root, key, file);
    for (const field of fields) if (section) optString(section, field, file, `/${key}`);
  }
  checkCapture(root, file);
  checkFailures(root, file);
  optString(root, 'notes', file);
  return root as unknown as Meta;
}

function checkCapture(root: Record<string, unknown>, file: string): void {
  const capture = optObject(root, 'capture', file);
  if (!capture) return;
  if (capture.pair !== undefined) {
    need(capture.pair, isArray, file, '/capture/pair', 'an array of two "namespace/name" strings').forEach((v, i) => need(v, isString, file, ptr('/capture/pair', i), 'a "namespace/name" string'));
  }
  if (capture.pairs !== undefined) {
    need(capture.pairs, isArray, file, '/capture/pairs', 'an array of pairs, each an array of two "namespace/name" strings').forEach((pair, i) =>
      need(pair, isArray, file, ptr('/capture/pairs', i), 'an array of two "namespace/name" strings').forEach((v, j) => need(v, isString, file, ptr(ptr('/capture/pairs', i), j), 'a "namespace/name" string')));
  }
  if (capture.filtered !== undefined) need(capture.filtered, isBoolean, file, '/capture/filtered', 'true or false');
}

function checkFailures(root: Record<string, unknown>, file: string): void {
  if (root.failures === undefined) return;
  need(root.failures, isArray, file, '/failures', 'an array of failures').forEach((f, i) => {
    const base = ptr('/failures', i);
    const failure = need(f, isObject, file, base, 'a failure object { call, object?, error }');
    need(failure.call, isString, file, ptr(base, 'call'), 'a string');
    need(failure.error, isString, file, ptr(base, 'error'), 'a string');
    optString(failure, 'object', file, base);
  });
}

function optObject(obj: Record<string, unknown>, key: string, file: string): Record<string, unknown> | undefined {
  return obj[key] === undefined ? undefined : need(obj[key], isObject, file, `/${key}`, 'an object');
}

function optString(obj: Record<string, unknown>, key: string, file: string, base = ''): void {
  if (obj[key] !== undefined) need(obj[key], isString, file, ptr(base, key), 'a string');
}

const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
const isOneOf = (values: string[]) => (v: unknown): v is string => isString(v) && values.includes(v);
