/**
 * The nurse-station client of the bench: a real WebSocket client (the `ws` package) on the
 * station's /ws, in the bench process. It notes the hrtime at which each SPO2_LOW edge of
 * an oximeter arrives, and counts every message. With `waveforms`, it subscribes to the
 * pleth stream as the station page does when it shows a trace.
 */
import { WebSocket } from 'ws';
import { STATION_PROTOCOL_VERSION } from '../src/station/station-protocol.js';
import { BENCH_DEVICES, benchBedIndex } from './bench-config.js';
import { BENCH_ALARM_CODE } from './bench-profile.js';
import { hrtimeNs } from './timestamped-transport.js';

/** Alarm edges received while recording: bed index and hrtime (ns) of receipt. */
export interface ReceivedAlarms {
  readonly bedIndex: number[];
  /** true for a start edge, false for an end. */
  readonly start: boolean[];
  readonly receivedNs: number[];
  /** Every message received while recording, of any type. */
  readonly messages: number;
  readonly bytes: number;
}

const ALARM_MARK = '"type":"alarm"';

export class StationListener {
  private recording = false;
  private received: { bedIndex: number[]; start: boolean[]; receivedNs: number[]; messages: number; bytes: number } = { bedIndex: [], start: [], receivedNs: [], messages: 0, bytes: 0 };

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (!this.recording || isBinary) return;
      const atNs = hrtimeNs();
      const text = data.toString();
      this.received.messages += 1;
      this.received.bytes += text.length;
      if (!text.includes(ALARM_MARK)) return;
      const message = JSON.parse(text) as { phase?: string; alarm?: { code?: string; bedId?: string; deviceId?: string } };
      const alarm = message.alarm;
      if (alarm?.code !== BENCH_ALARM_CODE || alarm.deviceId !== BENCH_DEVICES.oximeter || typeof alarm.bedId !== 'string') return;
      this.received.bedIndex.push(benchBedIndex(alarm.bedId));
      this.received.start.push(message.phase === 'start');
      this.received.receivedNs.push(atNs);
    });
  }

  /** Connects to the station at `stationUrl` (`http://host:port/`), subscribing to waveforms if asked. */
  static connect(stationUrl: string, waveforms: boolean, timeoutMs = 10_000): Promise<StationListener> {
    const url = `${stationUrl.replace(/^http/, 'ws')}ws`;
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error(`station WebSocket ${url}: no connection within ${timeoutMs} ms`));
      }, timeoutMs);
      ws.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      ws.once('open', () => {
        clearTimeout(timer);
        if (waveforms) ws.send(JSON.stringify({ v: STATION_PROTOCOL_VERSION, type: 'subscribe', waveforms: true }));
        resolve(new StationListener(ws));
      });
    });
  }

  beginRecording(): void {
    this.received = { bedIndex: [], start: [], receivedNs: [], messages: 0, bytes: 0 };
    this.recording = true;
  }

  endRecording(): ReceivedAlarms {
    this.recording = false;
    return this.received;
  }

  close(): void {
    this.ws.terminate();
  }
}
