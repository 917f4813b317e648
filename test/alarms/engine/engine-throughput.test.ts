import { describe, expect, it } from 'vitest';
import { measureEngineThroughput } from '../../../bench/engine-throughput.js';

describe('bench/engine-throughput', () => {
  it('drives real traffic through the engine: nothing dropped, alarms raised and ended', () => {
    const result = measureEngineThroughput(20_000, 4);
    expect(result).toMatchObject({ observations: 20_000, beds: 4, dropped: 0 });
    // NIBP 205 mmHg readings start NIBP_SYS_HIGH at once; the workload must produce edges.
    expect(result.alarmEvents).toBeGreaterThan(0);
  });
});
