import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { operationComplexity, tooComplex } from './complexity';

/** Refuses operations whose estimated cost exceeds `max` (before any resolver runs). */
export function complexityPlugin(max: number): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, schema }) {
          const cost = operationComplexity(schema, document, request.variables, request.operationName);
          if (cost > max) throw tooComplex(cost, max);
        },
      };
    },
  };
}
