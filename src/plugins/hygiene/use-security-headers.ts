import type { Plugin } from 'graphql-yoga';

/** Where GraphiQL's inline scripts and styles are allowed by hash (see app.ts); null when GraphiQL is off. */
export interface PageSecurity {
  csp: string | null;
}

/**
 * Headers that keep browsers from doing anything clever with usergraph's answers: no MIME sniffing,
 * no referrer, no caching of any response (GraphQL answers hold personal data; the rest is never worth caching), and a Content Security
 * Policy on the GraphiQL page that lets it run only its own inline code and talk only to this origin.
 */
export function useSecurityHeaders(page: PageSecurity): Plugin {
  return {
    onResponse({ response }) {
      const headers = response.headers;
      headers.set('x-content-type-options', 'nosniff');
      headers.set('referrer-policy', 'no-referrer');
      headers.set('cache-control', 'no-store');
      if (page.csp !== null && headers.get('content-type')?.startsWith('text/html')) {
        headers.set('content-security-policy', page.csp);
        headers.set('x-frame-options', 'DENY');
      }
    },
  };
}
