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
}

export function createContext(directories: DirectoryRegistry, signal?: AbortSignal): Context {
  return {
    directories,
    loaders: new Loaders(signal ? { signal } : {}),
    partialErrors: new PartialErrors(),
    ...(signal ? { signal } : {}),
  };
}
