import { GraphQLError, type GraphQLResolveInfo, responsePathAsArray } from 'graphql';
import { type DirectoryFailure, publicDirectoryError } from '../codes/failure-codes.js';

/**
 * Fields that combine several directories (merged lists, email lookups) still answer with the healthy
 * directories' data when one fails; the failure must not be hidden. A resolver cannot both return data
 * and throw, so it records the failure here and `usePartialErrors` adds it to the response's errors.
 * Warnings go to `extensions.warnings` the same way.
 */
export class PartialErrors {
  readonly errors: GraphQLError[] = [];
  /** Answers that are correct but incomplete (a scan budget ran out): `extensions.warnings`. */
  readonly warnings: Warning[] = [];

  warn(info: GraphQLResolveInfo, warning: WarningInit): void {
    this.warnings.push({ ...warning, path: responsePathAsArray(info.path) });
  }

  report(info: GraphQLResolveInfo, failure: DirectoryFailure): void {
    const { message, extensions } = publicDirectoryError(failure);
    this.errors.push(
      new GraphQLError(message, { nodes: info.fieldNodes, path: responsePathAsArray(info.path), extensions }),
    );
  }
}

export interface WarningInit {
  readonly code: string;
  readonly message: string;
  readonly [detail: string]: unknown;
}

export type Warning = WarningInit & { readonly path: readonly (string | number)[] };
