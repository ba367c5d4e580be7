import { context, propagation, ROOT_CONTEXT, trace, type TextMapGetter } from '@opentelemetry/api';
import { W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { describe, expect, it } from 'vitest';
import { formatBaggage, formatTraceparent, parseBaggage, parseTraceparent } from '../../../src/tracing/w3c.js';

const getter: TextMapGetter<Record<string, string>> = { get: (c, k) => c[k], keys: (c) => Object.keys(c) };

describe('traceparent', () => {
  it.each([
    ['00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 }],
    ['00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00', { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 0 }],
    ['cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-what-the-future', { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 }],
    ['ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', undefined],
    ['00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra', undefined],
    ['00-00000000000000000000000000000000-b7ad6b7169203331-01', undefined],
    ['00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01', undefined],
    ['00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01', undefined],
    ['garbage', undefined],
    [42, undefined],
  ])('%s reads as OpenTelemetry\'s W3C propagator reads it', (text, expected) => {
    expect(parseTraceparent(text)).toEqual(expected);
    const extracted = trace.getSpanContext(new W3CTraceContextPropagator().extract(ROOT_CONTEXT, { traceparent: String(text) }, getter));
    expect(extracted === undefined ? undefined : { traceId: extracted.traceId, spanId: extracted.spanId, traceFlags: extracted.traceFlags }).toEqual(expected);
  });

  it('formats version 00 with two hex digits of flags', () => {
    expect(formatTraceparent({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 }))
      .toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
  });
});

describe('baggage', () => {
  it('formats as OpenTelemetry\'s W3C propagator injects, and reads back what it formats', () => {
    const entries: [string, { value: string; metadata?: string }][] = [['tenant', { value: 'acme corp' }], ['k,y', { value: 'v=1;x' }], ['p', { value: '1', metadata: 'ttl=3' }]];
    const baggage = propagation.createBaggage(Object.fromEntries(entries.map(([k, m]) => [k, m.metadata === undefined ? { value: m.value } : { value: m.value }])));
    const carrier: Record<string, string> = {};
    new W3CBaggagePropagator().inject(propagation.setBaggage(context.active(), baggage), carrier, { set: (c, k, v) => void (c[k] = v) });
    const text = formatBaggage(entries);
    expect(text.replace(';ttl=3', '')).toBe(carrier['baggage']);
    expect([...parseBaggage(text)]).toEqual(entries);
  });

  it('skips malformed members and reads nothing from a non-string', () => {
    expect([...parseBaggage('good=1,=nokey,novalue,bad=%E0%A4%A,ok=2;prop')]).toEqual([['good', { value: '1' }], ['ok', { value: '2', metadata: 'prop' }]]);
    expect(parseBaggage(undefined).size).toBe(0);
  });
});
