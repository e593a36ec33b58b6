import { describe, expect, it } from 'vitest';
import { isNotable, viewLogLine } from './child-logs.js';

describe('viewLogLine', () => {
  it('reads the JSON logger’s level, context and message', () => {
    const view = viewLogLine('{"level":"warn","time":"t","pid":1,"context":"PoolMaintainer","message":"slow cloud"}');
    expect(view).toEqual({ level: 'warn', text: 'warn PoolMaintainer: slow cloud' });
    expect(isNotable(view)).toBe(true);
  });

  it('keeps routine records out of the quiet terminal', () => {
    expect(isNotable(viewLogLine('{"level":"log","message":"listening"}'))).toBe(false);
  });

  it('adds a serialized error to the text', () => {
    const view = viewLogLine('{"level":"error","message":"failed","error":{"name":"Error","message":"boom"}}');
    expect(view.text).toBe('error failed ({"name":"Error","message":"boom"})');
  });

  it('shows a line that is not JSON (a crash, a runtime warning) as it is', () => {
    const view = viewLogLine('ipledger-allocator: refusing to start:');
    expect(view).toEqual({ level: 'text', text: 'ipledger-allocator: refusing to start:' });
    expect(isNotable(view)).toBe(true);
  });
});
