import { Subject, type Observable } from 'rxjs';
import type { Observation } from '../model/observation.js';
import type { DeviceCondition, DeviceStatus } from '../model/device-events.js';
import type { WaveformChunk } from '../model/waveform.js';

/**
 * The gateway's internal bus: drivers publish, everything else (alarms, station,
 * store, exports) subscribes. Streams are hot; a subscriber sees what is published
 * after it subscribed. Late joiners get the current state from the station's snapshot.
 */
export class GatewayBus {
  private readonly observationSubject = new Subject<Observation>();
  private readonly conditionSubject = new Subject<DeviceCondition>();
  private readonly statusSubject = new Subject<DeviceStatus>();
  private readonly waveformSubject = new Subject<WaveformChunk>();

  readonly observations$: Observable<Observation> = this.observationSubject.asObservable();
  readonly conditions$: Observable<DeviceCondition> = this.conditionSubject.asObservable();
  readonly status$: Observable<DeviceStatus> = this.statusSubject.asObservable();
  readonly waveforms$: Observable<WaveformChunk> = this.waveformSubject.asObservable();

  publishObservation(observation: Observation): void {
    this.observationSubject.next(observation);
  }
  publishCondition(condition: DeviceCondition): void {
    this.conditionSubject.next(condition);
  }
  publishStatus(status: DeviceStatus): void {
    this.statusSubject.next(status);
  }
  publishWaveform(chunk: WaveformChunk): void {
    this.waveformSubject.next(chunk);
  }

  /** Completes every stream (daemon shutdown). */
  close(): void {
    this.observationSubject.complete();
    this.conditionSubject.complete();
    this.statusSubject.complete();
    this.waveformSubject.complete();
  }
}

/** The part of the bus a driver may use: publish only. */
export type DevicePublisher = Pick<GatewayBus, 'publishObservation' | 'publishCondition' | 'publishStatus' | 'publishWaveform'>;
