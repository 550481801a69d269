// The pack on two apps: a deliberately insecure one written with plain aws-cdk-lib (no construct
// of this library) triggers every rule; the example app triggers none it has not acknowledged.
import { App } from 'aws-cdk-lib';
import { addExampleStacks } from '../../../bin/example-app';
import { INTEGRATION_RULES } from '../../../lib';
import { insecureApp } from '../../fixtures/insecure-app';
import { brokenRules } from './judge';

test('the insecure fixture app triggers every rule of the pack', () => {
  const { app, stack } = insecureApp();
  app.synth(); // tags (Tags.of) are applied by an aspect during synthesis, as when the pack runs as a validation plugin
  expect(brokenRules(stack)).toEqual(INTEGRATION_RULES.map((r) => r.id).sort());
});

test('the example app triggers none but the two it acknowledges (webhook method, partner-held signing secret)', () => {
  const app = new App();
  addExampleStacks(app, { mainId: 'Example', mtlsId: 'ExampleMtls' });
  expect(brokenRules(app)).toEqual(['ID2', 'SD2']);
});

test('every rule has a unique id, a name, a layer, and says why it exists', () => {
  expect(new Set(INTEGRATION_RULES.map((r) => r.id)).size).toBe(INTEGRATION_RULES.length);
  for (const rule of INTEGRATION_RULES) {
    expect(rule.id).toMatch(/^(ID|SD|NG|OB|IN)\d+$/);
    expect(rule.name).toMatch(/^[A-Z][A-Za-z0-9]+$/);
    expect(['identity', 'secrets-and-data', 'network-and-gateway', 'observability', 'inventory']).toContain(rule.layer);
    expect(rule.explanation.length).toBeGreaterThan(80);
  }
});
