import type { EventEnvelope } from '../envelope/event-envelope';
import type { StreamType } from '../events/event-registry';
import type { EventDraft } from '../stream/event-factory';
import type { DecisionContext } from './decision-context';

/**
 * Functional event sourcing: `decide` turns a command into drafts (or throws LedgerException), `evolve` folds one
 * envelope into the state. Both are pure; state is plain JSON data (strings for amounts) so it serializes canonically.
 */
export interface Aggregate<S, C> {
  streamType: StreamType;
  initialState(): S;
  decide(state: S, command: C, context: DecisionContext): EventDraft[];
  evolve(state: S, envelope: EventEnvelope): S;
}

/** Rebuilds a state from its stream's envelopes, in sequence order. */
export function replay<S, C>(aggregate: Aggregate<S, C>, envelopes: Iterable<EventEnvelope>, from?: S): S {
  let state = from ?? aggregate.initialState();
  for (const envelope of envelopes) state = aggregate.evolve(state, envelope);
  return state;
}
