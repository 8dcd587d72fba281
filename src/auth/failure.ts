/**
 * Why a request was not let in. `status` 401: the credentials (missing, expired, wrong audience…);
 * 503: usergraph could not check them just now (the issuer's keys are unreachable), not the caller's
 * fault. `reason` names the check that failed and never quotes the credential.
 */
export interface AuthFailure {
  readonly failed: true;
  readonly status: 401 | 503;
  readonly reason: string;
}

export function refused(reason: string): AuthFailure {
  return { failed: true, status: 401, reason };
}

export function unavailable(reason: string): AuthFailure {
  return { failed: true, status: 503, reason };
}

export function isFailure(value: object): value is AuthFailure {
  return 'failed' in value;
}
