import { Subject, asyncScheduler, filter, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { VigilError } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import type { DeviceCondition, DeviceStatus } from '../../model/device-events.js';
import type { Observation } from '../../model/observation.js';
import type { AlarmEvent } from '../alarm.js';
import { BedAlarmCommands } from './bed-alarm-commands.js';
import { BedAlarmLifecycle } from './alarm-lifecycle.js';
import { METRIC_INDEX, channelAt, type DeviceRoute, type EngineDevice } from './bed-wiring.js';
import { BedRules } from './bed-rules.js';
import type { ConditionSignal } from './condition-signal.js';
import { OK, isAlarmEvent, refuse, type BedAlarmSnapshot, type CommandResult, type EngineAlarmEvent, type EngineEvent } from './engine-events.js';
import { lifecycleRules, replaceBedProfile } from './profile-change.js';
import { alarmProfileSchema, type AlarmProfile } from './profile-schema.js';
import { externalAlarmSignal } from './pump-condition.js';
import type { PumpRule } from './rule-schemas.js';

export type { EngineDevice } from './bed-wiring.js';

/** One bed: its profile and its devices. */
export interface AlarmEngineBed {
  readonly bedId: string;
  readonly profile: AlarmProfile;
  readonly devices: readonly EngineDevice[];
}

/** The gateway streams the engine reads. */
export interface AlarmEngineInputs {
  readonly observations$: Observable<Observation>;
  readonly status$: Observable<DeviceStatus>;
  readonly conditions$: Observable<DeviceCondition>;
  /** Alarms raised elsewhere (the control module's RATE_CHANGE_NOT_VERIFIED), run through the lifecycle. */
  readonly external$?: Observable<AlarmEvent>;
}

export interface AlarmEngineOptions {
  readonly beds: readonly AlarmEngineBed[];
  readonly inputs: AlarmEngineInputs;
  /** Time for every rule and timer (a TestScheduler in tests). Default: asyncScheduler. */
  readonly scheduler?: SchedulerLike;
  readonly logger?: Logger;
}

/** The running alarm engine. Commands never throw: they return a result. */
export interface AlarmEngine {
  /** Every event: alarm edges, acknowledgements, audio pauses, escalations, alarm off and reminders (hot). */
  readonly events$: Observable<EngineEvent>;
  /** Alarm edges only: the `Observable<AlarmEvent>` seam of the station. */
  readonly alarmEvents$: Observable<EngineAlarmEvent>;
  acknowledge(bedId: string, alarmId: string, by: string): CommandResult;
  /** Audio pause of a bed for `ms` (default the profile's audioPauseMs). */
  pauseAudio(bedId: string, by: string, ms?: number): CommandResult;
  setAlarmOff(bedId: string, ruleId: string, off: boolean, by: string): CommandResult;
  /**
   * Replaces the bed's profile at runtime (docs/alarms.md "Runtime changes"): unchanged
   * rules keep running, changed ones carry their active conditions over where they can.
   * Refused (INVALID_PROFILE with `field`) when the profile fails the schema or names a
   * device the bed lacks.
   */
  replaceProfile(bedId: string, profile: AlarmProfile, by: string): CommandResult;
  /** What replaceProfile would say of this profile for this bed, without changing anything. */
  checkProfile(bedId: string, profile: AlarmProfile): CommandResult;
  /** The bed's running profile (with runtime changes); undefined for an unknown bed. */
  profile(bedId: string): AlarmProfile | undefined;
  /** The bed's alarms and their histories; undefined for an unknown bed. */
  snapshot(bedId: string): BedAlarmSnapshot | undefined;
  /** Observations seen, and those dropped for an unknown bed or device. */
  stats(): { readonly observations: number; readonly dropped: number };
  /** Unsubscribes from the inputs and cancels every timer. */
  stop(): void;
}

interface BedRuntime {
  readonly rules: BedRules;
  readonly routes: Map<string, DeviceRoute>;
  /** The same routes in a small array: a bed has a handful of devices, a scan beats hashing. */
  readonly routeList: readonly DeviceRoute[];
  readonly lifecycle: BedAlarmLifecycle;
  readonly commands: BedAlarmCommands;
  readonly signals: Subject<ConditionSignal>;
  readonly devices: readonly EngineDevice[];
  profile: AlarmProfile;
  pumpRule: PumpRule | null;
}

const pumpRuleOf = (profile: AlarmProfile): PumpRule | null => profile.rules.find((r): r is PumpRule => r.kind === 'pump') ?? null;

/** A profile for a bed: the schema's problems, then rules naming a device the bed lacks (INVALID_PROFILE, `field` the first path). */
function checkProfileFor(bed: BedRuntime, profile: AlarmProfile): CommandResult {
  const parsed = alarmProfileSchema.safeParse(profile);
  const bedId = bed.lifecycle.options.bedId;
  const deviceIds = new Set(bed.devices.map((d) => d.deviceId));
  const problems = !parsed.success
    ? parsed.error.issues.map((x) => ({ path: x.path.join('.'), message: x.message }))
    : parsed.data.rules.flatMap((rule, i) =>
        'device' in rule && rule.device !== undefined && !deviceIds.has(rule.device)
          ? [{ path: `rules.${i}.device`, message: `rule ${rule.id} names device "${rule.device}", which bed ${bedId} does not have` }]
          : [],
      );
  const first = problems[0];
  if (!first) return OK;
  return refuse('INVALID_PROFILE', problems.map((p) => `${p.path || '(profile)'}: ${p.message}`).join('; '), first.path);
}

function checkBeds(beds: readonly AlarmEngineBed[]): void {
  const problems: { path: string; message: string }[] = [];
  const ids = new Set<string>();
  beds.forEach((bed, i) => {
    if (ids.has(bed.bedId)) problems.push({ path: `beds[${i}].bedId`, message: `duplicate bed id "${bed.bedId}"` });
    ids.add(bed.bedId);
    const parsed = alarmProfileSchema.safeParse(bed.profile);
    if (!parsed.success) problems.push({ path: `beds[${i}].profile`, message: parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ') });
    const deviceIds = new Set(bed.devices.map((d) => d.deviceId));
    if (deviceIds.size !== bed.devices.length) problems.push({ path: `beds[${i}].devices`, message: 'duplicate device id' });
    for (const rule of bed.profile.rules ?? []) {
      if ('device' in rule && rule.device !== undefined && !deviceIds.has(rule.device)) {
        problems.push({ path: `beds[${i}].profile`, message: `rule ${rule.id} names device "${rule.device}", which bed ${bed.bedId} does not have` });
      }
    }
  });
  if (problems.length > 0) {
    throw new VigilError('CONFIG_INVALID', `alarm engine: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, { problems });
  }
}

/**
 * The alarm engine (docs/alarms.md): per bed, the profile's rules as RxJS operators, fed by
 * a Map lookup on bed, device and metric (no filter per rule), emitting condition signals
 * into the bed's lifecycle (latching, acknowledgement, audio pause, alarm off, escalation).
 * @throws VigilError CONFIG_INVALID for duplicate beds or devices, an invalid profile, or a
 * rule naming a device the bed lacks.
 */
export function createAlarmEngine(options: AlarmEngineOptions): AlarmEngine {
  checkBeds(options.beds);
  const scheduler = options.scheduler ?? asyncScheduler;
  const log = (options.logger ?? silentLogger()).child({ component: 'alarm-engine' });
  const events = new Subject<EngineEvent>();
  const subscriptions: Subscription[] = [];
  const beds = new Map<string, BedRuntime>();
  let observations = 0;
  let dropped = 0;

  for (const bed of options.beds) {
    const rules = lifecycleRules(bed.profile);
    const emit = (e: EngineEvent) => events.next(e);
    const lifecycle = new BedAlarmLifecycle({ bedId: bed.bedId, profileId: bed.profile.id, settings: bed.profile.lifecycle, rules, scheduler, emit });
    const signals = new Subject<ConditionSignal>();
    subscriptions.push(
      signals.subscribe((s) => {
        try {
          lifecycle.signal(s);
        } catch (err) {
          log.error({ err, bedId: bed.bedId, code: s.code }, 'alarm lifecycle failed on a condition signal');
        }
      }),
    );
    const bedRules = new BedRules(bed.devices, signals, scheduler, (err) => log.error({ err, bedId: bed.bedId }, 'alarm rule failed on an observation'));
    bedRules.start(bed.profile.rules);
    beds.set(bed.bedId, {
      rules: bedRules, routes: bedRules.routes, routeList: [...bedRules.routes.values()], lifecycle, commands: new BedAlarmCommands(lifecycle), signals,
      devices: bed.devices, profile: bed.profile, pumpRule: pumpRuleOf(bed.profile),
    });
  }

  const route = (bedId: string, deviceId: string): DeviceRoute | undefined => {
    const list = beds.get(bedId)?.routeList;
    if (list === undefined) return undefined;
    for (let i = 0; i < list.length; i++) if (list[i]!.deviceId === deviceId) return list[i];
    return undefined;
  };

  // Hot path: two small Map lookups, a scan of the bed's devices and a range check per
  // observation, nothing allocated.
  const onObservation = (obs: Observation) => {
    observations++;
    const r = route(obs.bedId, obs.deviceId);
    if (r === undefined) {
      dropped++;
      return;
    }
    const index = METRIC_INDEX.get(obs.metric);
    if (index === undefined) return;
    const ch = r.channels[index] ?? channelAt(r, index);
    const v = obs.value;
    if (v === null || (v >= ch.min && v <= ch.max)) {
      if (ch.invalidOpen) {
        ch.invalidOpen = false;
        r.invalid?.next(obs);
      }
      if (ch.last === null) r.firstValue?.(obs.metric);
      ch.last = obs;
      ch.valid?.next(obs);
    } else if (r.invalid !== null) {
      ch.invalidOpen = true;
      r.invalid.next(obs);
    }
  };
  const inputError = (name: string) => (err: unknown) => log.error({ err }, `alarm engine input ${name} failed: no more data from it`);
  const { inputs } = options;
  subscriptions.push(inputs.observations$.subscribe({ next: onObservation, error: inputError('observations$') }));
  subscriptions.push(
    inputs.status$.subscribe({
      next: (s) => {
        const r = route(s.bedId, s.deviceId);
        if (!r) return;
        r.status = s;
        r.technical.next(s);
      },
      error: inputError('status$'),
    }),
  );
  subscriptions.push(
    inputs.conditions$.subscribe({
      next: (c) => {
        const r = route(c.bedId, c.deviceId);
        if (!r) return;
        if (c.active) r.conditions.set(c.code, c);
        else r.conditions.delete(c.code);
        if (r.pump && r.pumpCodes.has(c.code)) r.pump.next(c);
        else r.technical.next(c);
      },
      error: inputError('conditions$'),
    }),
  );
  if (inputs.external$) {
    subscriptions.push(
      inputs.external$.subscribe({
        next: (e) => {
          const bed = beds.get(e.alarm.bedId);
          if (!bed) log.warn({ alarmId: e.alarm.id, bedId: e.alarm.bedId }, 'external alarm for a bed the engine does not know: not shown');
          else bed.signals.next(externalAlarmSignal(e, scheduler.now(), bed.pumpRule));
        },
        error: inputError('external$'),
      }),
    );
  }

  const unknownBed = (bedId: unknown) => refuse('UNKNOWN_BED', `no bed ${JSON.stringify(bedId)}`);
  const bedOf = (bedId: unknown) => (typeof bedId === 'string' ? beds.get(bedId) : undefined);
  const events$ = events.asObservable();
  return {
    events$,
    alarmEvents$: events$.pipe(filter(isAlarmEvent)),
    acknowledge: (bedId, alarmId, by) => bedOf(bedId)?.commands.acknowledge(alarmId, by) ?? unknownBed(bedId),
    pauseAudio: (bedId, by, ms) => bedOf(bedId)?.commands.pauseAudio(by, ms) ?? unknownBed(bedId),
    setAlarmOff: (bedId, ruleId, off, by) => bedOf(bedId)?.commands.setAlarmOff(ruleId, off, by) ?? unknownBed(bedId),
    checkProfile: (bedId, profile) => {
      const bed = bedOf(bedId);
      return bed ? checkProfileFor(bed, profile) : unknownBed(bedId);
    },
    replaceProfile: (bedId, profile, by) => {
      const bed = bedOf(bedId);
      if (!bed) return unknownBed(bedId);
      if (typeof by !== 'string' || by.trim() === '' || by.length > 64) return refuse('INVALID_ARGUMENT', 'by: expected the user name (1-64 characters)');
      const checked = checkProfileFor(bed, profile);
      if (!checked.ok) return checked;
      const parsed = alarmProfileSchema.parse(profile);
      replaceBedProfile(bed, parsed, by);
      bed.profile = parsed;
      bed.pumpRule = pumpRuleOf(parsed);
      log.info({ bedId, profileId: parsed.id, by }, 'alarm profile replaced');
      return OK;
    },
    profile: (bedId) => bedOf(bedId)?.profile,
    snapshot: (bedId) => bedOf(bedId)?.lifecycle.snapshot(),
    stats: () => ({ observations, dropped }),
    stop: () => {
      for (const s of subscriptions) s.unsubscribe();
      subscriptions.length = 0;
      for (const bed of beds.values()) {
        bed.rules.dispose();
        bed.lifecycle.dispose();
        bed.commands.dispose();
      }
      events.complete();
    },
  };
}
