import type { CallOptions } from './directory/port.js';
import type { DirectoryRegistry } from './directory/registry.js';
import { Loaders } from './loaders.js';
import { PartialErrors } from './partial-errors.js';

/** What every resolver sees; built fresh for each GraphQL request. */
export interface Context {
  readonly directories: DirectoryRegistry;
  readonly loaders: Loaders;
  /** Failures of single directories inside fields that still answer with the others' data. */
  readonly partialErrors: PartialErrors;
  /** The request's deadline, for calls made outside the loaders (list pages). */
  readonly signal?: AbortSignal;
  /** The deadline as every upstream call takes it (signal and epoch ms), and what stops its timer. */
  readonly call: RequestCall;
}

export type RequestCall = CallOptions & { release?(): void };

export function createContext(directories: DirectoryRegistry, deadline: RequestCall = {}): Context {
  const call: RequestCall = { ...deadline, responses: new Map() };
  return {
    directories,
    loaders: new Loaders(call),
    partialErrors: new PartialErrors(),
    ...(call.signal ? { signal: call.signal } : {}),
    call,
  };
}
