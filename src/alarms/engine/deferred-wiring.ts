import { Subscription } from 'rxjs';
import type { MetricChannel, WiringContext } from './bed-wiring.js';

/** One rule's wiring for one device, waiting for the device's first value of one of its metrics. */
export interface DeferredWiring {
  done: boolean;
  readonly channels: readonly MetricChannel[];
  readonly wire: () => void;
}

/**
 * Runs `wire` now if the device has already sent a value on one of `channels` (a runtime
 * profile change: it replays the latest state), otherwise just before its first value on
 * one of them reaches the rules (then without replay: there is nothing before it). Every
 * rule kind that reads a device's metrics starts from that device's first value (no timer
 * runs before it), so waiting changes no outcome; it saves the operators of metrics a
 * device never sends (a pump's SpO2 rules). The wait ends with the rule: a subscription
 * in `subs` takes it off the channels.
 */
export function whenMeasured(ctx: WiringContext, channels: readonly MetricChannel[], wire: (ctx: WiringContext) => void, subs: Subscription[]): void {
  if (channels.some((ch) => ch.last !== null)) {
    wire(ctx);
    return;
  }
  const later: WiringContext = ctx.replay ? { ...ctx, replay: false } : ctx;
  const deferred: DeferredWiring = { done: false, channels, wire: () => wire(later) };
  for (const ch of channels) (ch.pending ??= []).push(deferred);
  subs.push(new Subscription(() => settle(deferred)));
}

/** Takes a deferred wiring off every channel it waits on. */
function settle(deferred: DeferredWiring): void {
  deferred.done = true;
  for (const ch of deferred.channels) {
    if (ch.pending === null) continue;
    const i = ch.pending.indexOf(deferred);
    if (i >= 0) ch.pending.splice(i, 1);
    if (ch.pending.length === 0) ch.pending = null;
  }
}

/** The dispatcher calls this before a channel's first value reaches the rules: wires the rules waiting for it. */
export function wirePending(ch: MetricChannel): void {
  const waiting = ch.pending;
  if (waiting === null) return;
  for (const deferred of [...waiting]) {
    if (deferred.done) continue;
    settle(deferred);
    deferred.wire();
  }
}
