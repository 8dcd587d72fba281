import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** dclint's own folder (its package exports only its API). */
const dclint = dirname(createRequire(import.meta.url).resolve('dclint/package.json'));

import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseConfig } from '../src/config/config.js';

// Every manifest of the deploy kit against the schemas of what reads it: each Kubernetes object against
// the Kubernetes API's own (kubernetes-models, generated from the API's OpenAPI document), the compose
// file against the Compose specification's JSON Schema, and the example Secret never able to start
// usergraph with its placeholders.

const yamlObjects = (path: string) =>
  parseAllDocuments(readFileSync(path, 'utf8')).map((document) => document.toJS() as Record<string, unknown>);

/** The kubernetes-models class for an object's apiVersion and kind. */
async function modelOf(object: Record<string, unknown>) {
  const [group, version] = String(object.apiVersion).includes('/')
    ? String(object.apiVersion).split('/')
    : ['', String(object.apiVersion)];
  const module = (await import(`kubernetes-models/${group === '' ? '' : `${group}/`}${version}`)) as Record<
    string,
    new (
      data: unknown,
    ) => { validate(): void }
  >;
  const Model = module[String(object.kind)];
  if (Model === undefined) throw new Error(`no model for ${object.apiVersion} ${object.kind}`);
  return Model;
}

describe('Kubernetes manifests', () => {
  const files = readdirSync('deploy/kubernetes').filter((name) => name.endsWith('.yaml'));
  it('there are some', () => expect(files.length).toBeGreaterThanOrEqual(2));
  for (const file of files) {
    it(`${file}: every object validates against the Kubernetes API schema`, async () => {
      for (const object of yamlObjects(join('deploy/kubernetes', file))) {
        const Model = await modelOf(object);
        expect(() => new Model(object).validate(), `${object.kind}`).not.toThrow();
      }
    });
  }

  it('a schema error is caught (the check can fail)', async () => {
    const [deployment] = yamlObjects('deploy/kubernetes/usergraph.yaml');
    const broken = structuredClone(deployment) as { spec: { replicas: unknown } };
    broken.spec.replicas = 'three';
    const Model = await modelOf(broken as Record<string, unknown>);
    expect(() => new Model(broken).validate()).toThrow();
  });

  it('the example Secret’s placeholders cannot start usergraph', () => {
    const [secret] = yamlObjects('deploy/kubernetes/secret.example.yaml') as [
      { stringData: Record<string, string> },
    ];
    const configMap = yamlObjects('deploy/kubernetes/usergraph.yaml').find(
      (object) => object.kind === 'ConfigMap',
    ) as {
      data: Record<string, string>;
    };
    const parsed = parseConfig(configMap.data['usergraph.yaml'] ?? '', 'configmap', secret.stringData);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? [] : parsed.problems).toEqual(
      expect.arrayContaining([
        'cursorSecret: is a placeholder from an example: set the real value',
        'directories[0].token: is a placeholder from an example: set the real value',
      ]),
    );
  });
});

describe('compose', () => {
  it('dclint finds no error in it', () => {
    const output = execFileSync(
      process.execPath,
      [join(dclint, 'bin/dclint.cjs'), 'deploy/compose/compose.yaml'],
      {
        encoding: 'utf8',
      },
    );
    expect(output).not.toMatch(/\berror\b/);
  });

  it('deploy/compose/compose.yaml validates against the Compose specification', () => {
    // The Compose specification's own JSON Schema (compose-spec/compose-spec, as dclint ships it).
    const { $schema: _draft, ...schema } = JSON.parse(
      readFileSync(join(dclint, 'schemas/compose.schema.json'), 'utf8'),
    ) as Record<string, unknown>;
    // It names draft-07 (Ajv's own) by a URI Ajv does not register: left out.
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    const [compose] = yamlObjects('deploy/compose/compose.yaml');
    expect(validate(compose) ? [] : validate.errors).toEqual([]);
    expect(validate({ services: { a: { image: 1, deploy: { replicas: 'x' } } } })).toBe(false);
  });
});
