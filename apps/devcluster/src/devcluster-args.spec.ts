import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DATABASE_URL,
  DEFAULT_NATS_URL,
  type DevclusterArgs,
  parseDevclusterArgs,
  UsageError,
} from './devcluster-args.js';

function run(argv: string[], env: Record<string, string> = {}): DevclusterArgs {
  const command = parseDevclusterArgs(argv, env);
  if (command.kind !== 'run') {
    throw new Error(`expected a run, got ${command.kind}`);
  }
  return command.args;
}

describe('parseDevclusterArgs', () => {
  it('runs 3 nodes and 12 pods on the local Postgres and NATS when given nothing', () => {
    expect(run([])).toEqual({
      nodes: 3,
      pods: 12,
      once: false,
      verbose: false,
      noNetns: false,
      databaseUrl: DEFAULT_DATABASE_URL,
      natsUrl: DEFAULT_NATS_URL,
    });
  });

  it('reads every flag, in both --flag value and --flag=value spelling', () => {
    expect(run(['--nodes', '2', '--pods=40', '--once', '--verbose', '--no-netns'])).toMatchObject({
      nodes: 2,
      pods: 40,
      once: true,
      verbose: true,
      noNetns: true,
    });
  });

  it('takes the database and NATS from DATABASE_URL and NATS_URL, ignoring blank values', () => {
    const args = run([], { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/mine', NATS_URL: '  ' });
    expect(args.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/mine');
    expect(args.natsUrl).toBe(DEFAULT_NATS_URL);
  });

  it.each([['--help'], ['-h'], ['--nodes', '2', '--help']])('answers help for %s', (...argv) => {
    expect(parseDevclusterArgs(argv, {})).toEqual({ kind: 'help' });
  });

  it.each([
    [['--nodes', '0'], '--nodes wants a whole number from 1 to 10, not "0"'],
    [['--nodes', '11'], '--nodes wants a whole number from 1 to 10, not "11"'],
    [['--pods', '2.5'], '--pods wants a whole number from 1 to 300, not "2.5"'],
    [['--pods', '-3'], '--pods'],
    [['--nodez', '3'], "Unknown option '--nodez'"],
    [['extra'], 'extra'],
    [['--once=yes'], '--once'],
  ])('refuses %j naming what is wrong', (argv, message) => {
    expect(() => parseDevclusterArgs(argv, {})).toThrow(UsageError);
    expect(() => parseDevclusterArgs(argv, {})).toThrow(message);
  });
});
