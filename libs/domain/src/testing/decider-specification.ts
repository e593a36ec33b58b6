// given / when / then for deciders, in the manner of emmett's DeciderSpecification. Used by specs only.
import { expect } from 'vitest';
import { type Decider } from '../decider.js';
import { DomainError, type DomainErrorCode } from '../errors.js';

export interface DeciderThen<State, Event> {
  /** The command caused exactly these events. */
  then(expected: Event[]): void;
  /** The command was accepted and recorded nothing (idempotent repeat, unknown pod, ...). */
  thenNothing(): void;
  /** The command was refused with this code (and reason, when given). */
  thenThrows(code: DomainErrorCode, reason?: string): void;
  /** The events the command caused and the state they lead to, for finer assertions. */
  result(): { events: Event[]; state: State };
}

export function deciderSpecification<Command, State, Event>(decider: Decider<Command, State, Event>) {
  return {
    given(events: Event[] = []) {
      const state = events.reduce(decider.evolve, decider.initialState());
      return {
        when(command: Command): DeciderThen<State, Event> {
          const run = (): Event[] => decider.decide(command, state);
          return {
            then: (expected) => expect(run()).toEqual(expected),
            thenNothing: () => expect(run()).toEqual([]),
            thenThrows(code, reason) {
              let caught: unknown;
              try {
                run();
              } catch (error) {
                caught = error;
              }
              expect(caught).toBeInstanceOf(DomainError);
              expect((caught as DomainError).code).toBe(code);
              if (reason !== undefined) {
                expect((caught as DomainError).details.reason).toBe(reason);
              }
            },
            result() {
              const produced = run();
              return { events: produced, state: produced.reduce(decider.evolve, state) };
            },
          };
        },
      };
    },
  };
}
