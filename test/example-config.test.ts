import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';

it('usergraph.example.yaml is valid once its variables are set', () => {
  const text = readFileSync(new URL('../usergraph.example.yaml', import.meta.url), 'utf8');
  const variables = [...text.matchAll(/\$\{(\w+)\}/g)].map((match) => match[1] ?? '');
  const env = Object.fromEntries(variables.map((name) => [name, `value-of-${name}`]));
  const result = parseConfig(text, 'usergraph.example.yaml', env);
  expect(result.ok ? [] : result.problems).toEqual([]);
  expect(result.ok && result.config.directories.map((d) => d.provider)).toEqual([
    'monocloud',
    'zitadel',
    'app-services',
  ]);
});
