import { type Span, SpanStatusCode } from '@opentelemetry/api';
import { UpstreamError } from '../directory/failures.js';
import type { CallOptions, DirectoryProvider, KeyedResult } from '../directory/port.js';
import { type CallTrace, startChildSpan } from './call-trace.js';

/**
 * One span per DataLoader batch: one directory, one kind of fact, every key the operation asked for
 * there; the batch's upstream attempts are its children. Keys are counted, never listed.
 */
export function startBatchSpan(
  callTrace: CallTrace,
  kind: string,
  directory: DirectoryProvider,
  keys: number,
  options: CallOptions,
): { readonly span: Span; readonly options: CallOptions } {
  return startChildSpan(
    callTrace,
    `${kind} batch: ${directory.name}`,
    // Kind and directory are in the name too; the provider is on each attempt below.
    { attributes: { 'usergraph.directory': directory.name, 'usergraph.batch.keys': keys } },
    options,
  );
}

/** How many keys failed; a batch every key of which failed is an error span, with the failure's kind. */
export function endBatchSpan(span: Span, results: readonly KeyedResult<unknown>[]): void {
  let failed = 0;
  let first: Error | null = null;
  for (const result of results) {
    if (result instanceof Error) {
      failed += 1;
      first ??= result;
    }
  }
  if (failed > 0) span.setAttribute('usergraph.batch.failed_keys', failed);
  if (first !== null && failed === results.length) {
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: first instanceof UpstreamError ? first.kind : first.name,
    });
  }
  span.end();
}
