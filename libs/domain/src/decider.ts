// emmett's decider shape: a pure function from command and state to new events, and a fold of events into state.

export interface Decider<Command, State, Event> {
  /** Returns the events the command causes; throws DomainError when it must be refused. */
  decide: (command: Command, state: State) => Event[];
  evolve: (state: State, event: Event) => State;
  initialState: () => State;
}

export const foldEvents = <State, Event>(
  decider: Pick<Decider<never, State, Event>, 'evolve' | 'initialState'>,
  events: readonly Event[],
): State => events.reduce(decider.evolve, decider.initialState());
