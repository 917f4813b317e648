import { readFileSync } from 'node:fs';
import { isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { VigilError } from '../core/errors.js';

/**
 * The one YAML + zod loader of Vigil's configuration files (the main configuration and
 * the drug library): read, parse, validate, and report every problem at once with the
 * path, line and column of each bad value.
 */

/** One thing wrong in a configuration file, located as precisely as the file allows. */
export interface ConfigProblem {
  /** Dotted path with indices, e.g. `beds[0].devices[1].transport`; empty for the whole file. */
  readonly path: string;
  readonly message: string;
  /** 1-based line and column in the file, when known. */
  readonly line?: number;
  readonly column?: number;
}

/**
 * Reads a YAML file and validates it with `schema`.
 * @throws VigilError CONFIG_NOT_FOUND, CONFIG_UNREADABLE, CONFIG_INVALID (context: file, problems)
 */
export function loadValidatedYamlFile<S extends z.ZodType>(file: string, schema: S): z.output<S> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new VigilError(
      code === 'ENOENT' ? 'CONFIG_NOT_FOUND' : 'CONFIG_UNREADABLE',
      code === 'ENOENT' ? `${file}: no such configuration file` : `${file}: cannot read (${code ?? String(err)})`,
      { file },
    );
  }
  return parseValidatedYaml(text, file, schema);
}

/**
 * Parses YAML text and validates it with `schema`; `file` names it in messages.
 * @throws VigilError CONFIG_INVALID (context: file, problems)
 */
export function parseValidatedYaml<S extends z.ZodType>(text: string, file: string, schema: S): z.output<S> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e): ConfigProblem => {
      const pos = lineCounter.linePos(e.pos[0]);
      return { path: '', message: `YAML syntax: ${e.message.split('\n')[0]}`, line: pos.line, column: pos.col };
    });
    throw invalid(file, problems);
  }
  const data: unknown = doc.toJS() ?? {};
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => toProblem(issue, data, doc.contents, lineCounter));
  throw invalid(file, problems);
}

/** The message shown to a person: the file, then one problem a line. */
export function formatConfigProblems(file: string, problems: readonly ConfigProblem[]): string {
  const lines = problems.map((p) => {
    const where = p.line !== undefined ? `${file}:${p.line}:${p.column ?? 1}` : file;
    return `  ${where}  ${p.path || '(file)'}: ${p.message}`;
  });
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return `Invalid configuration ${file} (${count}):\n${lines.join('\n')}`;
}

function invalid(file: string, problems: ConfigProblem[]): VigilError {
  return new VigilError('CONFIG_INVALID', formatConfigProblems(file, problems), { file, problems });
}

function toProblem(issue: z.core.$ZodIssue, data: unknown, root: YamlNode | null, lc: LineCounter): ConfigProblem {
  const path = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    message = `unknown setting${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    path.push(issue.keys[0] as string);
  } else {
    const found = valueAt(data, path);
    if (issue.code === 'invalid_type' && found === undefined) message = 'is required';
    else if (issue.code !== 'custom' && found !== undefined && typeof found !== 'object') message += ` (found ${JSON.stringify(found)})`;
  }
  const node = nodeAt(root, path);
  const pos = node?.range ? lc.linePos(node.range[0]) : undefined;
  return { path: formatPath(path), message, ...(pos ? { line: pos.line, column: pos.col } : {}) };
}

function formatPath(path: readonly (string | number)[]): string {
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');
}

function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  let cur = data;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

/** The deepest YAML node along `path` (the closest located ancestor when the key is missing). */
function nodeAt(root: YamlNode | null, path: readonly (string | number)[]): YamlNode | undefined {
  let cur: YamlNode | null | undefined = root;
  let last: YamlNode | undefined = root ?? undefined;
  for (const k of path) {
    if (isMap(cur)) {
      const pair: { key: unknown; value: unknown } | undefined = cur.items.find((p) => (p.key as { value?: unknown } | null)?.value === k);
      // A key with no value (`port:`) is located by its key.
      cur = (pair?.value as YamlNode | null | undefined) ?? (pair?.key as YamlNode | undefined);
    } else if (isSeq(cur) && typeof k === 'number') {
      cur = cur.items[k] as YamlNode | null;
    } else {
      break;
    }
    if (!cur) break;
    last = cur;
  }
  return last;
}
