import { describe, expect, it } from 'vitest';
import { shapingFor, shapingOps, tokenBucket } from './bandwidth.shaper.js';

describe('tokenBucket', () => {
  it('honours an explicit burst given in bits', () => {
    expect(tokenBucket(10_000_000, 800_000, 1500)).toEqual({ rateBps: 10_000_000, burstBytes: 100_000 });
  });

  it('treats the runtimes’ "no particular burst" sentinels as unspecified: 4 ms of traffic', () => {
    expect(tokenBucket(100_000_000, 2 ** 32 - 1, 1500).burstBytes).toBe(50_000);
    expect(tokenBucket(100_000_000, 2 ** 31 - 1, 1500).burstBytes).toBe(50_000);
    expect(tokenBucket(100_000_000, undefined, 1500).burstBytes).toBe(50_000);
  });

  it('never lets the bucket be smaller than two full frames, and rounds the rate to whole bytes', () => {
    expect(tokenBucket(1_000_000, 8, 1500)).toEqual({ rateBps: 1_000_000, burstBytes: 3028 });
    expect(tokenBucket(10_000_003, undefined, 1500).rateBps).toBe(10_000_000);
  });
});

describe('shapingFor', () => {
  it('on a host veth, shapes pod ingress on transmit and pod egress on receive', () => {
    const shaping = shapingFor({ ingressRate: 1e6, egressRate: 2e6 }, 'ipl1', 'ipb1', 1500, true);
    expect(shaping?.transmit?.rateBps).toBe(1e6);
    expect(shaping?.receive?.rateBps).toBe(2e6);
  });

  it('on the pod’s own NIC, the other way round', () => {
    const shaping = shapingFor({ ingressRate: 1e6, egressRate: 2e6 }, 'eth0', 'ipb1', 1500, false);
    expect(shaping?.transmit?.rateBps).toBe(2e6);
    expect(shaping?.receive?.rateBps).toBe(1e6);
  });

  it('does nothing without a rate', () => {
    expect(shapingFor(undefined, 'ipl1', 'ipb1', 1500, true)).toBeNull();
    expect(shapingFor({ ingressBurst: 1000 }, 'ipl1', 'ipb1', 1500, true)).toBeNull();
  });

  it('creates the ifb only when the receive direction is limited, before any tc step uses it', () => {
    const onlyTransmit = shapingOps(shapingFor({ ingressRate: 1e6 }, 'ipl1', 'ipb1', 1500, true)!, 1500);
    expect(onlyTransmit.links).toEqual([]);
    expect(onlyTransmit.qdiscs.map((op) => op.kind)).toEqual(['tbf-replace']);
    const both = shapingOps(shapingFor({ ingressRate: 1e6, egressRate: 1e6 }, 'ipl1', 'ipb1', 1500, true)!, 1500);
    expect(both.links.map((op) => op.kind)).toEqual(['ifb-add', 'link-up']);
    expect(both.qdiscs.map((op) => op.kind)).toEqual(['tbf-replace', 'ingress-redirect', 'tbf-replace']);
  });
});
