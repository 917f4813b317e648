/**
 * The page's client of the station HTTP API (docs/station-api.md). Holds the session
 * token in memory only (a reload logs out). Never throws: every answer is a result,
 * and a gateway that does not answer is an error in words, like any refusal.
 * DOM-free; `fetch` is injected for tests.
 */
import type {
  ApiErrorBody,
  AuditResponse,
  BedAlarmsResponse,
  BedProfileResponse,
  LimitChangeBody,
  LoginResponse,
  MeResponse,
  OrderResponse,
  RateChangeRequestBody,
} from './api-types.js';
import type { OrderUserDto } from './protocol-types.js';

export type ApiError = ApiErrorBody['error'];

/** An answer: the data, or the error with its HTTP status (0 = no answer). */
export type ApiResult<T> = { ok: true; data: T } | { ok: false; status: number; error: ApiError };

type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body?: string }) => Promise<{
  status: number;
  json(): Promise<unknown>;
}>;

function isErrorBody(value: unknown): value is ApiErrorBody {
  const error = (value as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return typeof error?.code === 'string' && typeof error.message === 'string';
}

const bedPath = (bedId: string): string => `/api/beds/${encodeURIComponent(bedId)}`;

export class StationApiClient {
  private token: string | null = null;
  private currentUser: OrderUserDto | null = null;

  /**
   * @param baseUrl the station's origin, e.g. `http://127.0.0.1:8080/`
   * @param onSessionEnded called when the server says the session is no longer valid
   */
  constructor(
    private readonly baseUrl: string,
    private readonly fetchFn: FetchLike = (url, init) => fetch(url, init),
    private readonly onSessionEnded: (error: ApiError) => void = () => undefined,
  ) {}

  /** The logged-in user, or null. */
  get user(): OrderUserDto | null {
    return this.currentUser;
  }

  async login(username: string, password: string): Promise<ApiResult<LoginResponse>> {
    const result = await this.call<LoginResponse>('POST', '/api/login', { username, password }, false);
    if (result.ok) {
      this.token = result.data.token;
      this.currentUser = result.data.user;
    }
    return result;
  }

  /** Ends the session on the server (best effort) and forgets it here. */
  async logout(): Promise<void> {
    if (this.token !== null) await this.call('POST', '/api/logout', {}, true);
    this.forget();
  }

  me(): Promise<ApiResult<MeResponse>> {
    return this.call('GET', '/api/me', undefined, true);
  }

  requestRateChange(body: RateChangeRequestBody): Promise<ApiResult<OrderResponse>> {
    return this.call('POST', '/api/orders', body, true);
  }

  requestStop(bedId: string, deviceId: string): Promise<ApiResult<OrderResponse>> {
    return this.call('POST', '/api/orders/stop', { bedId, deviceId }, true);
  }

  confirm(orderId: string, username: string, password: string): Promise<ApiResult<OrderResponse>> {
    return this.call('POST', `/api/orders/${encodeURIComponent(orderId)}/confirm`, { username, password }, false);
  }

  doubleCheck(orderId: string, username: string, password: string, enteredValue: number): Promise<ApiResult<OrderResponse>> {
    return this.call('POST', `/api/orders/${encodeURIComponent(orderId)}/double-check`, { username, password, enteredValue }, false);
  }

  cancel(orderId: string, reason: string): Promise<ApiResult<OrderResponse>> {
    return this.call('POST', `/api/orders/${encodeURIComponent(orderId)}/cancel`, { reason }, true);
  }

  acknowledge(orderId: string): Promise<ApiResult<OrderResponse>> {
    return this.call('POST', `/api/orders/${encodeURIComponent(orderId)}/acknowledge`, {}, true);
  }

  audit(options: { bedId?: string; limit?: number } = {}): Promise<ApiResult<AuditResponse>> {
    const query = new URLSearchParams();
    if (options.bedId) query.set('bedId', options.bedId);
    if (options.limit) query.set('limit', String(options.limit));
    const text = query.toString();
    const suffix = text === '' ? '' : `?${text}`;
    return this.call('GET', `/api/audit${suffix}`, undefined, true);
  }

  /** The bed's alarms (active, latched, recent) with their histories. */
  bedAlarms(bedId: string): Promise<ApiResult<BedAlarmsResponse>> {
    return this.call('GET', `${bedPath(bedId)}/alarms`, undefined, false);
  }

  acknowledgeAlarm(bedId: string, alarmId: string): Promise<ApiResult<BedAlarmsResponse>> {
    return this.call('POST', `${bedPath(bedId)}/alarms/${encodeURIComponent(alarmId)}/acknowledge`, {}, true);
  }

  /** Audio pause of the bed (`ms` absent: the profile's default). */
  pauseAudio(bedId: string, ms?: number): Promise<ApiResult<BedAlarmsResponse>> {
    return this.call('POST', `${bedPath(bedId)}/audio-pause`, ms === undefined ? {} : { ms }, true);
  }

  setAlarmOff(bedId: string, ruleId: string, off: boolean): Promise<ApiResult<BedAlarmsResponse>> {
    return this.call('POST', `${bedPath(bedId)}/alarm-off`, { ruleId, off }, true);
  }

  bedProfile(bedId: string): Promise<ApiResult<BedProfileResponse>> {
    return this.call('GET', `${bedPath(bedId)}/profile`, undefined, false);
  }

  setProfile(bedId: string, profileId: string): Promise<ApiResult<BedProfileResponse>> {
    return this.call('PUT', `${bedPath(bedId)}/profile`, { profileId }, true);
  }

  setLimit(bedId: string, ruleId: string, change: LimitChangeBody): Promise<ApiResult<BedProfileResponse>> {
    return this.call('PUT', `${bedPath(bedId)}/limits/${encodeURIComponent(ruleId)}`, change, true);
  }

  private forget(): void {
    this.token = null;
    this.currentUser = null;
  }

  private async call<T>(method: string, path: string, body: unknown, withToken: boolean): Promise<ApiResult<T>> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (withToken) {
      if (this.token === null) return { ok: false, status: 401, error: { code: 'AUTH_REQUIRED', message: 'Log in first.' } };
      headers.Authorization = `Bearer ${this.token}`;
    }
    let status = 0;
    let data: unknown;
    try {
      const res = await this.fetchFn(new URL(path, this.baseUrl).href, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      status = res.status;
      data = await res.json();
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      const message = status === 0 ? `The gateway did not answer (${detail}). Check the order's state before trying again.` : `The gateway's answer was unreadable (HTTP ${status}).`;
      return { ok: false, status, error: { code: 'NETWORK', message } };
    }
    if (status >= 200 && status < 300) return { ok: true, data: data as T };
    const error: ApiError = isErrorBody(data) ? data.error : { code: 'HTTP_ERROR', message: `The gateway answered HTTP ${status}.` };
    if (withToken && (error.code === 'SESSION_INVALID' || error.code === 'SESSION_EXPIRED')) {
      this.forget();
      this.onSessionEnded(error);
    }
    return { ok: false, status, error };
  }
}
