import { canonicalJson } from '../../envelope/canonical-json.util';
import type { EventEnvelope } from '../../envelope/event-envelope';
import type { EventDataMap } from '../../events/ledger-events';
import { LedgerErrorCode, LedgerException } from '../../ledger.exception';
import type { EventDraft } from '../../stream/event-factory';
import type { Aggregate } from '../aggregate';
import { checkOccurredAt, commandData, draftOf, invalidTransition } from '../command-data.util';
import type { DecisionContext } from '../decision-context';
import { assertTenant, nextCursor } from '../stream-cursor.util';
import type { SessionCommand } from './session.commands';
import { initialSessionState, type SessionState } from './session.state';

/**
 * Decides a session command. Usage batches are bounded by maxCalls and budget (SESSION_LIMIT_EXCEEDED); revoked and
 * expired are terminal. Repeating an accepted issue/revoke/expire yields [] (idempotent); usage batches always count.
 */
export function decideSession(state: SessionState, command: SessionCommand, context: DecisionContext): EventDraft[] {
  assertTenant(state, context, 'session');
  const at = checkOccurredAt(command.occurredAt);
  switch (command.type) {
    case 'IssueSession': {
      const data = commandData('session.issued', command.data);
      if (state.session !== null) {
        if (canonicalJson(state.session) === canonicalJson(data)) return [];
        throw new LedgerException(
          LedgerErrorCode.IDEMPOTENCY_CONFLICT,
          `session ${data.sessionId} was issued with different terms`,
        );
      }
      if (Date.parse(data.expiresAt) <= context.now.getTime()) {
        throw new LedgerException(
          LedgerErrorCode.INVALID_COMMAND,
          `session expiresAt ${data.expiresAt} is not in the future`,
        );
      }
      return [draftOf('session.issued', data, at)];
    }
    case 'RecordSessionUsage': {
      const data = commandData('session.used', command.data);
      const session = requireActive(state, data.sessionId);
      if (Date.parse(data.windowStart) > Date.parse(data.windowEnd)) {
        throw new LedgerException(LedgerErrorCode.INVALID_COMMAND, `windowStart is after windowEnd`);
      }
      const calls = state.calls + data.calls;
      if (session.maxCalls !== null && calls > session.maxCalls) {
        throw new LedgerException(
          LedgerErrorCode.SESSION_LIMIT_EXCEEDED,
          `session ${data.sessionId}: ${calls} calls exceed maxCalls ${session.maxCalls}`,
        );
      }
      const spend = BigInt(state.spend) + BigInt(data.spend);
      if (session.budget !== null && spend > BigInt(session.budget)) {
        throw new LedgerException(
          LedgerErrorCode.SESSION_LIMIT_EXCEEDED,
          `session ${data.sessionId}: spend ${spend} exceeds budget ${session.budget}`,
        );
      }
      return [draftOf('session.used', data, at)];
    }
    case 'RevokeSession': {
      const data = commandData('session.revoked', command.data);
      requireSession(state, data.sessionId);
      if (state.status === 'revoked') return [];
      requireActive(state, data.sessionId);
      return [draftOf('session.revoked', data, at)];
    }
    case 'ExpireSession': {
      const data = commandData('session.expired', command.data);
      const session = requireSession(state, data.sessionId);
      if (state.status === 'expired') return [];
      requireActive(state, data.sessionId);
      if (context.now.getTime() < Date.parse(session.expiresAt)) {
        throw new LedgerException(
          LedgerErrorCode.SESSION_NOT_EXPIRED,
          `session ${data.sessionId} expires at ${session.expiresAt}`,
        );
      }
      return [draftOf('session.expired', data, at)];
    }
    default:
      throw new LedgerException(
        LedgerErrorCode.INVALID_COMMAND,
        `unknown session command ${(command as { type: unknown }).type}`,
      );
  }
}

function requireSession(state: SessionState, sessionId: string): EventDataMap['session.issued'] {
  if (state.session === null || state.session.sessionId !== sessionId) {
    throw new LedgerException(LedgerErrorCode.NOT_FOUND, `session ${sessionId} not found`);
  }
  return state.session;
}

function requireActive(state: SessionState, sessionId: string): EventDataMap['session.issued'] {
  const session = requireSession(state, sessionId);
  if (state.status !== 'active') {
    throw new LedgerException(LedgerErrorCode.TERMINAL_STATE, `session ${sessionId} is ${state.status}`);
  }
  return session;
}

/** Folds one envelope of a session stream; re-checks limits and terminal states so a corrupt stream fails loudly. */
export function evolveSession(state: SessionState, envelope: EventEnvelope): SessionState {
  const cursor = nextCursor(state, envelope, 'session');
  switch (envelope.type) {
    case 'session.issued': {
      if (state.status !== 'none') throw invalidTransition(`session issued twice`);
      const data = envelope.data as EventDataMap['session.issued'];
      return { ...state, ...cursor, status: 'active', session: data };
    }
    case 'session.used': {
      const data = envelope.data as EventDataMap['session.used'];
      const session = requireActive(state, data.sessionId);
      const calls = state.calls + data.calls;
      const spend = BigInt(state.spend) + BigInt(data.spend);
      if (
        (session.maxCalls !== null && calls > session.maxCalls) ||
        (session.budget !== null && spend > BigInt(session.budget))
      ) {
        throw new LedgerException(LedgerErrorCode.SESSION_LIMIT_EXCEEDED, `usage exceeds the session limits`);
      }
      const lastWindowEnd =
        state.lastWindowEnd === null || Date.parse(data.windowEnd) > Date.parse(state.lastWindowEnd)
          ? data.windowEnd
          : state.lastWindowEnd;
      return {
        ...state,
        ...cursor,
        calls,
        spend: spend.toString(),
        usageBatches: state.usageBatches + 1,
        lastWindowEnd,
      };
    }
    case 'session.revoked': {
      const data = envelope.data as EventDataMap['session.revoked'];
      requireActive(state, data.sessionId);
      return { ...state, ...cursor, status: 'revoked', revocation: { reason: data.reason, revokedBy: data.revokedBy } };
    }
    case 'session.expired': {
      const data = envelope.data as EventDataMap['session.expired'];
      requireActive(state, data.sessionId);
      return { ...state, ...cursor, status: 'expired' };
    }
    default:
      throw new LedgerException(
        LedgerErrorCode.STREAM_MISMATCH,
        `${envelope.type} does not belong on a session stream`,
      );
  }
}

/** The Session aggregate (stream = sessionId). */
export const sessionAggregate: Aggregate<SessionState, SessionCommand> = {
  streamType: 'session',
  initialState: initialSessionState,
  decide: decideSession,
  evolve: evolveSession,
};
