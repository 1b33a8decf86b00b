/** What a decision may read besides state and command: the caller's tenant and the current time (from a Clock). */
export interface DecisionContext {
  tenant: string;
  now: Date;
}
