import type { SocialProvider } from '@stampede/contracts/api';

/** The identity providers a person can log in with (the API's list); one strategy each in clients/social/. */
export type { SocialProvider };

/** What a provider vouches for about the person behind a verified id_token. */
export interface SocialClaims {
  subject: string;
  /** Only an email the provider marks as verified; for display, never used to link accounts. */
  email: string | null;
}

/** One provider = one strategy: how its id_tokens are verified and what their claims mean. */
export interface SocialStrategy {
  readonly provider: SocialProvider;
  verify(idToken: string, nonce?: string): Promise<SocialClaims>;
}
