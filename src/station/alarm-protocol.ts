/**
 * The alarm part of the station protocol: the `alarm-event` message (acknowledgements,
 * audio pauses, escalations, alarms off and reminders, profile changes) and a bed's
 * alarm state in snapshots, with their zod schemas (docs/station-api.md).
 */
import { z } from 'zod';
import type { BedAlarmSnapshot, EngineEvent } from '../alarms/engine/engine-events.js';
import { STATION_PROTOCOL_VERSION, type AlarmEventDto, type AlarmEventMessage, type BedAlarmStateDto } from './web/protocol-types.js';

const epochMs = z.number().finite();

export const bedAlarmStateSchema = z.object({
  profileId: z.string(),
  audioPausedUntil: epochMs.nullable(),
  alarmsOff: z.array(z.object({ ruleId: z.string(), since: epochMs, by: z.string() })),
}) satisfies z.ZodType<BedAlarmStateDto>;

/** A bed's alarm state for snapshots, from the engine's snapshot of it. */
export function bedAlarmState(snapshot: BedAlarmSnapshot): BedAlarmStateDto {
  return { profileId: snapshot.profileId, audioPausedUntil: snapshot.audioPausedUntil, alarmsOff: snapshot.alarmsOff.map((o) => ({ ...o })) };
}

const priority = z.enum(['high', 'medium', 'low']);
export const alarmEventSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('acknowledged'), bedId: z.string(), alarmId: z.string(), code: z.string(), by: z.string(), at: epochMs, ended: z.boolean() }),
  z.object({ kind: z.literal('audio-paused'), bedId: z.string(), by: z.string().nullable(), at: epochMs, until: epochMs, alarmIds: z.array(z.string()) }),
  z.object({ kind: z.literal('audio-resumed'), bedId: z.string(), at: epochMs, alarmIds: z.array(z.string()) }),
  z.object({
    kind: z.literal('escalated'), bedId: z.string(), alarmId: z.string(), code: z.string(), priority, tier: z.number().int().min(1), target: z.string(), at: epochMs,
  }),
  z.object({ kind: z.literal('alarm-off'), bedId: z.string(), ruleId: z.string(), off: z.boolean(), by: z.string(), at: epochMs }),
  z.object({ kind: z.literal('alarm-off-reminder'), bedId: z.string(), ruleId: z.string(), offSince: epochMs, by: z.string(), at: epochMs }),
  z.object({
    kind: z.literal('profile-changed'), bedId: z.string(), profileId: z.string(), label: z.string(), change: z.enum(['profile', 'limit']),
    ruleId: z.string().nullable(), at: epochMs,
  }),
]) satisfies z.ZodType<AlarmEventDto>;

/** The `alarm-event` message for an engine event other than an alarm edge (null for an edge). */
export function alarmEventMessage(event: EngineEvent): AlarmEventMessage | null {
  const dto = alarmEventToDto(event);
  return dto ? { v: STATION_PROTOCOL_VERSION, type: 'alarm-event', event: dto } : null;
}

function alarmEventToDto(e: EngineEvent): AlarmEventDto | null {
  switch (e.type) {
    case 'alarm':
      return null;
    case 'acknowledgement':
      return { kind: 'acknowledged', bedId: e.bedId, alarmId: e.alarmId, code: e.code, by: e.by, at: e.at, ended: e.ended };
    case 'audio-pause':
      return e.state === 'paused' && e.until !== null
        ? { kind: 'audio-paused', bedId: e.bedId, by: e.by, at: e.at, until: e.until, alarmIds: [...e.alarmIds] }
        : { kind: 'audio-resumed', bedId: e.bedId, at: e.at, alarmIds: [...e.alarmIds] };
    case 'escalation':
      return { kind: 'escalated', bedId: e.bedId, alarmId: e.alarmId, code: e.code, priority: e.priority, tier: e.tier, target: e.target, at: e.at };
    case 'alarm-off':
      return { kind: 'alarm-off', bedId: e.bedId, ruleId: e.ruleId, off: e.off, by: e.by, at: e.at };
    case 'alarm-off-reminder':
      return { kind: 'alarm-off-reminder', bedId: e.bedId, ruleId: e.ruleId, offSince: e.offSince, by: e.by, at: e.at };
  }
}
