import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '../src/config/config.js';
import { configJsonSchema } from '../src/config/config-schema.js';

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

describe('schema/usergraph.schema.json', () => {
  const schema = JSON.parse(
    readFileSync(new URL('../schema/usergraph.schema.json', import.meta.url), 'utf8'),
  );
  const validate = new Ajv2020({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
  const yaml = (path: string) => parse(readFileSync(new URL(`../${path}`, import.meta.url), 'utf8'));

  it('is what the zod model generates (npm run schema), and names itself in the example configs', () => {
    expect(schema).toEqual(JSON.parse(JSON.stringify(configJsonSchema())));
    for (const [path, ref] of [
      ['usergraph.example.yaml', './schema/usergraph.schema.json'],
      ['deploy/compose/usergraph.example.yaml', '../../schema/usergraph.schema.json'],
    ] as const) {
      expect(readFileSync(new URL(`../${path}`, import.meta.url), 'utf8')).toMatch(
        new RegExp(`^# yaml-language-server: \\$schema=${ref.replaceAll('.', '\\.')}\\n`),
      );
      expect(validate(yaml(path)) ? [] : validate.errors).toEqual([]);
    }
  });

  it('refuses what the config model refuses: unknown keys, wrong types, wrong enums', () => {
    expect(
      validate({
        directories: [{ name: 'a', provider: 'monocloud', baseUrl: 'https://x', apiKey: 'k' }],
        nope: 1,
      }),
    ).toBe(false);
    expect(validate({ directories: [{ name: 'a', provider: 'ldap', baseUrl: 'https://x' }] })).toBe(false);
    expect(validate({ directories: [], limits: { depth: 'deep' } })).toBe(false);
    expect(
      validate({
        auth: { mode: 'none' },
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the config file's own ${NAME} syntax
        directories: [{ name: 'a', provider: 'monocloud', baseUrl: 'https://x', apiKey: '${KEY}' }],
      }),
    ).toBe(true);
  });
});
