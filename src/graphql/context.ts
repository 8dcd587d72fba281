import type { GraphQLError } from 'graphql';
import type { ActionAudit } from '../actions/action-audit.js';
import type { ActionServices } from '../actions/action-store.js';
import type { Principal } from '../auth/principal.js';
import type { Scope } from '../auth/scopes.js';
import { SCOPES } from '../auth/scopes.js';
import type { UpstreamBudget } from '../cost/budget.js';
import type { Estimate } from '../cost/estimate.js';
import type { LimitSettings } from '../cost/limits.js';
import type { CallContext } from '../directory/call-context.js';
import type { CursorCodec } from '../directory/cursor.js';
import type { CallOptions } from '../directory/port.js';
import type { DirectoryRegistry } from '../directory/registry.js';
import type { ChangeStream, FeedLimits } from '../feed/change-stream.js';
import type { SubscriptionSlots } from '../feed/subscription-slots.js';
import { withResponseMemo } from '../http/client.js';
import { ReadRecord } from '../observability/read-record.js';
import { type RequestDeadline, withDeadline } from '../resilience/deadline.js';
import { withShare } from '../resilience/fair-queue.js';
import type { WebhookAdmin } from '../webhooks/webhook-store.js';
import { Loaders } from './loaders.js';
import { PartialErrors } from './partial-errors.js';

/** What every resolver sees; built fresh for each GraphQL request. */
export interface Context {
  /** Who is asking (OPEN_PRINCIPAL when authentication is off). */
  readonly principal: Principal;
  /** The principal's scopes as scope auth reads them. */
  readonly grants: Record<Scope, boolean>;
  /** The directories this principal may read; the others are withheld (`isWithheld`). */
  readonly directories: DirectoryRegistry;
  readonly loaders: Loaders;
  /** Failures of single directories inside fields that still answer with the others' data. */
  readonly partialErrors: PartialErrors;
  /** The request's deadline, for calls made outside the loaders (list pages). */
  readonly signal?: AbortSignal;
  /** What every upstream call of the request takes (its signal, budget and call context). */
  readonly call: RequestCall;
  /** Users returned and directories asked, for the audit log. */
  readonly read: ReadRecord;
  /** The request's id (x-request-id), for logs and the audit log. */
  readonly requestId?: string;
  /** Signs and reads list cursors (the key every replica shares). */
  readonly cursors: CursorCodec;
  /** The operation's upstream-call estimate, once worked out (plugins/use-upstream-budget.ts). */
  readonly cost: { estimate?: Estimate };
  /** What one operation may ask for (the resolvers check the argument-level ones). */
  readonly limits: LimitSettings;
  /** When the request began (epoch ms): `User.fetchedAt` of users read during it. */
  readonly startedAt: number;
  /** Ids refused so far in this request, and the errors the ones past the shown few share. */
  readonly refusals: { count: number; readonly shared: Map<string, GraphQLError> };
  /** The actions (mutations) this request ran or refused, for the audit log. */
  readonly actions: ActionAudit[];
  /** The action log and idempotency store the mutations use. */
  readonly actionServices: ActionServices;
  /** The pushed change feed (subscriptions), when this server runs one. */
  readonly feed: Feed | null;
  /** Aborts when the client goes away (a subscription ends with it). */
  readonly clientSignal?: AbortSignal;
  /** The SSE `Last-Event-ID` a reconnecting EventSource sent: the feed cursor to resume after. */
  readonly lastEventId?: string;
}

/** The change streams subscriptions read, and their limits. */
export interface Feed {
  readonly stream: ChangeStream;
  readonly limits: FeedLimits;
  readonly slots: SubscriptionSlots;
  /** Aborts when the process drains: open subscriptions complete, and clients resume elsewhere. */
  readonly closing?: AbortSignal;
  /** The webhooks API's machinery; null: webhooks are off. */
  readonly webhooks?: WebhookAdmin | null;
}

/**
 * The options every upstream call of the request takes: its deadline's signal, its budget (set before
 * execution, plugins/use-upstream-budget.ts), and the call context: the deadline as epoch ms, the fair
 * share, the response memo, and what the request's plugins added (tracing, cache bypass).
 */
export interface RequestCall extends CallOptions {
  budget?: UpstreamBudget;
  /** Stops the deadline's timer once the request is done. */
  release?(): void;
}

const grantsOf = new WeakMap<Principal, Record<Scope, boolean>>();

/** The principal's scopes as a record, computed once per principal (principals are cached per credential). */
function grants(principal: Principal): Record<Scope, boolean> {
  let record = grantsOf.get(principal);
  if (record === undefined) {
    record = Object.fromEntries(SCOPES.map((scope) => [scope, principal.scopes.has(scope)])) as Record<
      Scope,
      boolean
    >;
    grantsOf.set(principal, record);
  }
  return record;
}

/** What every request's context shares, as the app was built. */
export interface ContextServices {
  readonly registry: DirectoryRegistry;
  readonly cursors: CursorCodec;
  readonly limits: LimitSettings;
  readonly actionServices: ActionServices;
  readonly feed: Feed | null;
}

export function createContext(
  services: ContextServices,
  principal: Principal,
  deadline?: RequestDeadline,
  calls?: CallContext,
  requestId?: string,
  client: { readonly signal?: AbortSignal; readonly lastEventId?: string | null } = {},
): Context {
  const { signal: clientSignal, lastEventId } = client;
  const { registry, cursors, limits, actionServices, feed } = services;
  const request = {};
  let context = withShare(withResponseMemo(calls), {
    principal: `${principal.kind}:${principal.subject}`,
    request,
  });
  if (deadline !== undefined) context = withDeadline(context, deadline.deadline);
  const call: RequestCall =
    deadline === undefined
      ? { context }
      : { signal: deadline.signal, context, release: () => deadline.release() };
  const read = new ReadRecord();
  return {
    principal,
    grants: grants(principal),
    directories: registry.restrictedTo(principal.directories),
    loaders: new Loaders(call, read),
    partialErrors: new PartialErrors(),
    ...(call.signal ? { signal: call.signal } : {}),
    call,
    read,
    cursors,
    cost: {},
    limits,
    startedAt: Date.now(),
    refusals: { count: 0, shared: new Map() },
    actions: [],
    actionServices,
    feed,
    ...(clientSignal === undefined ? {} : { clientSignal }),
    ...(lastEventId === undefined || lastEventId === null ? {} : { lastEventId }),
    ...(requestId === undefined ? {} : { requestId }),
  };
}
