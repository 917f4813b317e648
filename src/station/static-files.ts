/**
 * The nurse-station page's static files. Only the paths in this fixed table are ever
 * served, so a request path never reaches the file system (no path traversal).
 * HTML and CSS come from src/station/web/, the compiled client from dist/station-web/
 * (built by `npx tsc -p tsconfig.web.json`).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface StaticFile {
  /** Path below the package root. */
  readonly file: string;
  readonly contentType: string;
}

const JS = 'text/javascript; charset=utf-8';
const WEB_SRC = 'src/station/web';
const WEB_DIST = 'dist/station-web';

/** URL path -> file. The client's ES modules import each other by these names. */
export const STATIC_FILES: ReadonlyMap<string, StaticFile> = new Map([
  ['/', { file: `${WEB_SRC}/index.html`, contentType: 'text/html; charset=utf-8' }],
  ['/style.css', { file: `${WEB_SRC}/style.css`, contentType: 'text/css; charset=utf-8' }],
  ['/app.js', { file: `${WEB_DIST}/app.js`, contentType: JS }],
  ['/connection.js', { file: `${WEB_DIST}/connection.js`, contentType: JS }],
  ['/client-state.js', { file: `${WEB_DIST}/client-state.js`, contentType: JS }],
  ['/format.js', { file: `${WEB_DIST}/format.js`, contentType: JS }],
  ['/view.js', { file: `${WEB_DIST}/view.js`, contentType: JS }],
  ['/protocol-types.js', { file: `${WEB_DIST}/protocol-types.js`, contentType: JS }],
  ['/pump.css', { file: `${WEB_SRC}/pump.css`, contentType: 'text/css; charset=utf-8' }],
  ['/alarm.css', { file: `${WEB_SRC}/alarm.css`, contentType: 'text/css; charset=utf-8' }],
  ...['dom', 'api-client', 'login-box', 'audit-panel', 'order-dialog', 'order-steps', 'order-flow', 'pump-panel', 'pump-format',
    'waveform-buffer', 'trace-geometry', 'trace-view', 'vitals-format', 'secondary-vitals',
    'alarm-state', 'alarm-format', 'alarm-sound', 'alarm-row', 'bed-alarm-bar', 'alarm-history-panel', 'alarm-profile-panel'].map(
    (name): [string, StaticFile] => [`/${name}.js`, { file: `${WEB_DIST}/${name}.js`, contentType: JS }],
  ),
]);

/** A static file's bytes, or why it could not be read. */
export type StaticLoad =
  | { ok: true; body: Buffer; contentType: string }
  | { ok: false; reason: 'not-found' | 'not-built'; detail: string };

/**
 * Loads the file for a URL path from the fixed table. Unlisted paths are `not-found`;
 * a listed file missing on disk is `not-built` (the client was not compiled).
 */
export async function loadStaticFile(root: string, urlPath: string): Promise<StaticLoad> {
  const entry = STATIC_FILES.get(urlPath);
  if (!entry) return { ok: false, reason: 'not-found', detail: urlPath };
  try {
    const body = await readFile(join(root, entry.file));
    return { ok: true, body, contentType: entry.contentType };
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    return { ok: false, reason: 'not-built', detail: `${entry.file}: ${detail}` };
  }
}
