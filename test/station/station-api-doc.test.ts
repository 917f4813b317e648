/** Keeps docs/station-api.md true: every JSON example is a valid message of the protocol. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/core/package-root.js';
import { parseClientMessage, serverMessageSchema } from '../../src/station/station-protocol.js';
import { API_ROUTES } from '../../src/station/station-api.js';
import { rateChangeSchema } from '../../src/station/api-schemas.js';
import { ALARM_API_ROUTES } from '../../src/station/alarm-api.js';
import { alarmOffSchema } from '../../src/station/alarm-api-schemas.js';
import { invalidRequest } from '../../src/station/api-errors.js';

const doc = readFileSync(join(packageRoot(), 'docs/station-api.md'), 'utf8');
const [wsPart = '', httpPart = ''] = doc.split('## Pump-control HTTP API');
const alarmPart = httpPart.split('## Alarm-control HTTP API')[1] ?? '';
const [serverPart = '', clientPart = ''] = wsPart.split('### Client → server');
const examples = (text: string): string[] => [...text.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');

describe('docs/station-api.md examples', () => {
  it('shows one valid example of every server message type', () => {
    const parsed = examples(serverPart).map((json) => serverMessageSchema.parse(JSON.parse(json)));
    expect(parsed.map((m) => m.type).sort()).toEqual([
      'alarm', 'alarm-event', 'device-status', 'error', 'hello', 'observation', 'order', 'pong', 'pump', 'pump-change', 'snapshot', 'subscribed', 'waveform',
    ]);
  });

  it('shows valid client messages', () => {
    const parsed = examples(clientPart).map((json) => parseClientMessage(json));
    expect(parsed.map((p) => (p.ok ? p.message.type : p.error.message))).toEqual(['ping', 'get-snapshot', 'subscribe']);
  });

  it('quotes the error text the server really produces for a wrong field type', () => {
    const result = parseClientMessage('{"v":1,"type":"ping","requestId":7}');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(doc).toContain(result.error.message);
  });

  it('lists every HTTP API route', () => {
    const missing = API_ROUTES.filter((route) => !httpPart.includes(`\`${route}\``) && !httpPart.includes(`\`${route}?`));
    expect(missing).toEqual([]);
    expect(API_ROUTES.length).toBeGreaterThan(10);
  });

  it('quotes the 400 answer the API really gives for a value of the wrong type', () => {
    const parsed = rateChangeSchema.safeParse({ bedId: 'bed-1', deviceId: 'pump-1', value: 'fast', unit: 'mg/kg/h' });
    expect(parsed.success).toBe(false);
    if (!parsed.success) expect(httpPart).toContain(JSON.stringify(invalidRequest(parsed.error).body));
  });
});

describe('docs/station-api.md: the alarm-control API', () => {
  it('lists every alarm route', () => {
    const missing = ALARM_API_ROUTES.filter((route) => !alarmPart.includes(`\`${route}\``));
    expect(missing).toEqual([]);
    expect(ALARM_API_ROUTES.length).toBe(7);
  });

  it('quotes the 400 answer the API really gives for a field of the wrong type', () => {
    const parsed = alarmOffSchema.safeParse({ ruleId: 'spo2-low', off: 'yes' });
    expect(parsed.success).toBe(false);
    if (!parsed.success) expect(alarmPart).toContain(JSON.stringify(invalidRequest(parsed.error).body));
  });
});
