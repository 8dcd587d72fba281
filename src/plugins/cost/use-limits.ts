import { GraphQLError, Lexer, parse, Source, TokenKind } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { CODE } from '../../codes/public-codes.js';
import type { LimitSettings } from '../../cost/limits.js';
import { shapeOf } from '../../cost/shape.js';

type StaticLimit =
  | 'queryBytes'
  | 'tokens'
  | 'depth'
  | 'aliases'
  | 'expandedFields'
  | 'directives'
  | 'rootFields';

/** A document over a static limit: which limit, its value, and what the document measured. */
export function tooComplex(limit: StaticLimit, max: number, measured: number): GraphQLError {
  return new GraphQLError(`Query too complex: ${limit} ${measured} is over the limit of ${max}.`, {
    // `http` is Yoga's: the answer's status (it is not sent in the error).
    extensions: { code: CODE.QUERY_TOO_COMPLEX, limit, max, measured, http: { status: 400 } },
  });
}

/**
 * Static limits, before validation and execution (docs/limits.md): the query's length when the
 * request is parsed; its tokens while it is parsed (graphql-js stops lexing past `maxTokens`, which
 * also bounds the parser's recursion, so a 10,000-deep nesting is a 400, not a stack overflow); its
 * depth, aliases, expanded size, directives and root fields right after (one pass linear in the
 * document, fragments summarised once: src/cost/shape.ts).
 */
export function useLimits(limits: LimitSettings): Plugin {
  return {
    onRequestParse: () => ({
      onRequestParseDone({ requestParserResult }) {
        const all = Array.isArray(requestParserResult) ? requestParserResult : [requestParserResult];
        for (const params of all) {
          const length = typeof params.query === 'string' ? params.query.length : 0;
          if (length > limits.queryBytes) throw tooComplex('queryBytes', limits.queryBytes, length);
        }
      },
    }),
    onParse({ setParseFn }) {
      setParseFn((source, options) => {
        try {
          return parse(source, { ...options, maxTokens: limits.tokens });
        } catch (error) {
          // Only on the error path: was it the token limit, or a syntax error in a small document?
          const tokens = countTokens(source);
          if (tokens > limits.tokens) throw tooComplex('tokens', limits.tokens, tokens);
          throw error;
        }
      });
    },
    onValidate({ params, setResult }) {
      const shape = shapeOf(params.documentAST);
      const over: GraphQLError[] = [];
      if (shape.depth > limits.depth) over.push(tooComplex('depth', limits.depth, shape.depth));
      if (shape.aliases > limits.aliases) over.push(tooComplex('aliases', limits.aliases, shape.aliases));
      if (shape.fields > limits.expandedFields) {
        over.push(tooComplex('expandedFields', limits.expandedFields, shape.fields));
      }
      if (shape.directives > limits.directives) {
        over.push(tooComplex('directives', limits.directives, shape.directives));
      }
      if (shape.rootFields > limits.rootFields) {
        over.push(tooComplex('rootFields', limits.rootFields, shape.rootFields));
      }
      if (over.length > 0) setResult(over);
    },
  };
}

/** Tokens of a query that was too long to parse, counted by the lexer alone (linear, no recursion). */
function countTokens(source: string | Source): number {
  const lexer = new Lexer(typeof source === 'string' ? new Source(source) : source);
  let tokens = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF) tokens += 1;
  } catch {
    // A lexical error after the limit: what was counted so far is the measure.
  }
  return tokens;
}
