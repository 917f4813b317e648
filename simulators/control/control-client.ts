/** The answer of the simulator control API, or why it could not be reached. */
export type ControlResponse =
  | { readonly reached: true; readonly status: number; readonly body: unknown }
  | { readonly reached: false; readonly message: string };

/** Calls the simulator control API at `baseUrl` (e.g. `http://127.0.0.1:8081`). Never throws. */
export async function callControlApi(
  baseUrl: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  timeoutMs = 5000,
): Promise<ControlResponse> {
  let url: URL;
  try {
    url = new URL(path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  } catch {
    return { reached: false, message: `invalid control URL "${baseUrl}"` };
  }
  try {
    const res = await fetch(url, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text) as unknown;
    } catch {
      // not JSON: keep the text
    }
    return { reached: true, status: res.status, body: parsed };
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
    return { reached: false, message: `cannot reach the simulator control API at ${url.origin}: ${why}` };
  }
}

/** The `{ error: { code, message } }` of a failed answer, as one line. */
export function describeControlError(status: number, body: unknown): string {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (error && typeof error.message === 'string') return `${String(error.code ?? 'ERROR')} (HTTP ${status}): ${error.message}`;
  return `HTTP ${status}: ${typeof body === 'string' ? body : JSON.stringify(body)}`;
}
