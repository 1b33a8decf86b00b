/** Who calls the session service: a provider (one tenant) or an admin (any tenant). */
export interface Principal {
  tenant: string;
  admin: boolean;
  /** For audit fields such as `revokedBy` (never the key itself). */
  subject: string;
}
