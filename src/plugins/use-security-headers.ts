import type { Plugin } from 'graphql-yoga';

/** Where GraphiQL's inline scripts and styles are allowed by hash (see app.ts); null when GraphiQL is off. */
export interface PageSecurity {
  csp: string | null;
}

/**
 * Headers that keep browsers from doing anything clever with usergraph's answers: no MIME sniffing,
 * no referrer, no caching of GraphQL responses (they hold personal data), and a Content Security
 * Policy on the GraphiQL page that lets it run only its own inline code and talk only to this origin.
 */
export function useSecurityHeaders(page: PageSecurity, endpoint = '/graphql'): Plugin {
  return {
    onResponse({ request, response }) {
      const headers = response.headers;
      headers.set('x-content-type-options', 'nosniff');
      headers.set('referrer-policy', 'no-referrer');
      const path = new URL(request.url).pathname;
      if (path !== endpoint) return;
      headers.set('cache-control', 'no-store');
      if (page.csp !== null && headers.get('content-type')?.startsWith('text/html')) {
        headers.set('content-security-policy', page.csp);
        headers.set('x-frame-options', 'DENY');
      }
    },
  };
}
