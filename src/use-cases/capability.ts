import { DirectoryFailure } from '../codes/failure-codes.js';
import { UnsupportedError } from '../directory/failures.js';
import type { DirectoryProvider } from '../directory/port.js';

/** Why each provider lacks a read (docs/querying.md, capability table). */
const REASONS: Readonly<Record<string, string>> = {
  'monocloud:roles': 'MonoCloud has no roles; access is granted through groups',
  'app-services:groups': 'App Services has no groups for app users',
  'app-services:roles': 'App Services has no roles for app users',
  'app-services:sessions': 'App Services has no session list',
};

/**
 * The directory, narrowed to one that has `method`; otherwise the field fails with
 * UNSUPPORTED_BY_PROVIDER naming the directory (so "cannot know" never looks like "none").
 */
export function withRead<K extends keyof DirectoryProvider>(
  directory: DirectoryProvider,
  method: K,
  feature: string,
): DirectoryProvider & Required<Pick<DirectoryProvider, K>> {
  if (directory[method] === undefined) {
    const reason = REASONS[`${directory.provider}:${feature}`] ?? `the provider cannot serve ${feature}`;
    throw new DirectoryFailure(directory.name, new UnsupportedError(directory.name, feature, reason));
  }
  return directory as DirectoryProvider & Required<Pick<DirectoryProvider, K>>;
}

/** A directory call's failure as the field's error: directory failures keep their directory. */
export function directoryError(directory: DirectoryProvider, error: unknown): DirectoryFailure {
  if (error instanceof DirectoryFailure) return error;
  return new DirectoryFailure(directory.name, error instanceof Error ? error : new Error(String(error)));
}
