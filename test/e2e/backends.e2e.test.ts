import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithKeyring, realKeychain } from '../harness/keyring';
import { launchApp, type AppUnderTest } from './harness/launch';

// Environments on three backends side by side, as a new user sets them up: Vault and AWS connections
// added on the Connections screen (wire-level fakes on loopback, real SDKs in the real core), tested,
// bound to staging and prod, a secret added in each; a failing connection explains itself.

const CANARY = 'canary-e2e-backends-8c1d';

async function fillConnection(page: Page, fields: { name: string; kind: string; text: Record<string, string>; selects?: Record<string, string>; secrets: Record<string, string> }) {
  const dialog = page.getByRole('dialog', { name: 'New connection' });
  await dialog.getByLabel('Name', { exact: true }).fill(fields.name);
  await dialog.getByLabel('Kind').selectOption({ label: fields.kind });
  for (const [label, value] of Object.entries(fields.selects ?? {})) await dialog.getByLabel(label, { exact: true }).selectOption(value);
  for (const [label, value] of Object.entries(fields.text)) await dialog.getByLabel(label, { exact: true }).fill(value);
  for (const [label, value] of Object.entries(fields.secrets)) await dialog.getByLabel(label, { exact: true }).fill(value);
  return dialog;
}

async function bindEnvironment(page: Page, environment: string, connection: string, prefix: string, isProtected = false) {
  await page.getByRole('tab', { name: new RegExp(environment) }).click();
  await page.getByRole('button', { name: `Settings of ${environment}` }).click();
  const dialog = page.getByRole('dialog', { name: `Environment ${environment}` });
  await dialog.getByLabel('Stored in').selectOption(connection);
  await dialog.getByLabel('Prefix').fill(prefix);
  await dialog.getByRole('button', { name: 'Save' }).click();
  if (isProtected) {
    const confirmation = page.getByRole('dialog', { name: `Change ${environment}?` });
    await confirmation.getByLabel('Confirmation').fill(environment);
    await confirmation.getByRole('button', { name: 'Save changes' }).click();
  }
  await expect.poll(() => page.getByTestId('environment-location').textContent()).toContain(`(${connection})`);
}

async function addSecret(page: Page, environment: string, key: string, value: string, isProtected = false) {
  await page.getByRole('button', { name: 'New secret' }).click();
  const dialog = page.getByRole('dialog', { name: `New secret in ${environment}` });
  await dialog.getByPlaceholder('API_KEY').fill(key);
  await dialog.getByLabel('Value', { exact: true }).fill(value);
  await dialog.getByRole('button', { name: 'Add secret' }).click();
  if (isProtected) {
    const confirmation = page.getByRole('dialog', { name: `Change ${environment}?` });
    await confirmation.getByLabel('Confirmation').fill(environment);
    await confirmation.getByRole('button', { name: 'Confirm change' }).click();
  }
  await expect.poll(() => page.locator(`tr[data-key="${key}"]`).count()).toBe(1);
}

for (const colorScheme of ['light', 'dark'] as const) {
  describeWithKeyring(`environments on the local store, Vault and AWS, end to end (${colorScheme}, wire-level fakes)`, () => {
    let app: AppUnderTest;
    let vaultToken: string;
    let awsKey: { accessKeyId: string; secretAccessKey: string };
    beforeAll(async () => {
      app = await launchApp({ colorScheme, keychain: realKeychain(), fakes: { vault: true, aws: true } });
      vaultToken = app.fakes.vault!.createToken();
      awsKey = app.fakes.aws!.addAccessKey();
    });
    afterAll(() => app.close());

    it('adds a Vault and an AWS connection on the Connections screen and tests them step by step', async () => {
      const { page } = app;
      await page.getByRole('button', { name: 'Create your first project' }).click();
      await page.getByRole('dialog', { name: 'New project' }).getByRole('textbox').fill('payments');
      await page.getByRole('button', { name: 'Create project' }).click();
      await expect.poll(() => page.getByRole('tab').allTextContents()).toEqual(['dev', 'staging', 'prod']);

      await page.getByRole('button', { name: 'Connections', exact: true }).click();
      await expect.poll(() => page.getByRole('heading', { name: 'No connections yet' }).isVisible()).toBe(true);

      await page.getByRole('button', { name: 'Add connection' }).click();
      let dialog = await fillConnection(page, { name: 'staging-vault', kind: 'HashiCorp Vault', text: { Address: app.fakes.vault!.url }, secrets: { Token: vaultToken } });
      await app.screenshot('connection-new-vault');
      await dialog.getByRole('button', { name: 'Add connection' }).click();
      await expect.poll(() => page.locator('tr[data-connection="staging-vault"]').textContent()).toContain('stored ✓');

      await page.getByRole('button', { name: 'Add connection' }).click();
      dialog = await fillConnection(page, {
        name: 'prod-aws',
        kind: 'AWS Secrets Manager',
        text: { Region: app.fakes.aws!.region, 'Endpoint (optional)': app.fakes.aws!.url },
        secrets: { 'Access key id': awsKey.accessKeyId, 'Secret access key': awsKey.secretAccessKey },
      });
      await dialog.getByRole('button', { name: 'Add connection' }).click();
      await expect.poll(() => page.locator('tr.connection-row').count()).toBe(2);
      // Credentials never come back to the page.
      expect(await page.content()).not.toContain(vaultToken);
      expect(await page.content()).not.toContain(awsKey.secretAccessKey);

      await page.getByRole('button', { name: 'Test connection staging-vault' }).click();
      const test = page.getByRole('dialog', { name: 'Test staging-vault' });
      await test.getByLabel('Where to look (optional prefix)').fill('payments/staging/');
      await test.getByLabel(/Also test writing/).check();
      await test.getByRole('button', { name: 'Run test' }).click();
      await expect.poll(() => test.locator('li.step-passed').count()).toBe(4);
      await app.screenshot('connection-test');
      await test.getByRole('button', { name: 'Close' }).click();

      await page.getByRole('button', { name: 'Test connection prod-aws' }).click();
      const awsTest = page.getByRole('dialog', { name: 'Test prod-aws' });
      await awsTest.getByRole('button', { name: 'Run test' }).click();
      await expect.poll(() => awsTest.locator('li.step').evaluateAll((rows) => rows.map((row) => row.className.replace('step step-', '')))).toEqual(['passed', 'passed', 'passed', 'skipped']);
      await awsTest.getByRole('button', { name: 'Close' }).click();
      await app.screenshot('connections');
    });

    it('binds dev to the local store, staging to Vault, prod to AWS, and adds a secret in each', async () => {
      const { page } = app;
      await page.getByRole('button', { name: 'Secrets', exact: true }).click();
      await bindEnvironment(page, 'staging', 'staging-vault', 'payments/staging/');
      await bindEnvironment(page, 'prod', 'prod-aws', 'payments/prod/', true);

      await page.getByRole('tab', { name: /dev/ }).click();
      await addSecret(page, 'dev', 'DATABASE_URL', `${CANARY}-dev`);
      await page.getByRole('tab', { name: /staging/ }).click();
      await addSecret(page, 'staging', 'DATABASE_URL', `${CANARY}-staging`);
      await page.getByRole('tab', { name: /prod/ }).click();
      await addSecret(page, 'prod', 'DATABASE_URL', `${CANARY}-prod`, true);

      expect(app.fakes.vault!.stored('payments/staging/DATABASE_URL')).toMatchObject({ value: `${CANARY}-staging` });
      expect(JSON.parse(app.fakes.aws!.secretStringOf('payments/prod/DATABASE_URL')!)).toEqual({ value: `${CANARY}-prod` });
      expect((await app.core.secrets.reveal('payments', 'dev', 'DATABASE_URL')).value).toBe(`${CANARY}-dev`);
    });

    it('shows the three environments side by side, each with its backend and location', async () => {
      const { page } = app;
      const expected: Record<string, string> = {
        dev: 'Local encrypted store · file://payments/dev/',
        staging: 'Vault (staging-vault) · secret/data/payments/staging/',
        prod: `AWS Secrets Manager (prod-aws) · ${app.fakes.aws!.region} · payments/prod/`,
      };
      for (const [environment, location] of Object.entries(expected)) {
        await page.getByRole('tab', { name: new RegExp(environment) }).click();
        await expect.poll(() => page.getByTestId('environment-location').textContent()).toBe(location);
        await expect.poll(() => page.locator('tr[data-key="DATABASE_URL"]').count()).toBe(1);
        // Vault, AWS and the local store all keep versions: the history panel is offered on each.
        expect(await page.getByRole('button', { name: 'History of DATABASE_URL' }).count()).toBe(1);
        await app.screenshot(`environment-${environment}`);
      }
      await page.getByRole('button', { name: 'Reveal DATABASE_URL' }).click();
      await expect.poll(() => page.getByTestId('revealed-value').textContent()).toBe(`${CANARY}-prod`);
      await page.getByRole('button', { name: 'Hide DATABASE_URL' }).click();
    });

    it('offers history and notes only where the backend has them', async () => {
      const { page } = app;
      await page.getByRole('button', { name: 'Connections', exact: true }).click();
      await page.getByRole('button', { name: 'Add connection' }).click();
      const dialog = await fillConnection(page, { name: 'keyring', kind: 'OS keychain', text: { Service: `e2e-keyring-${colorScheme}` }, secrets: {} });
      await dialog.getByRole('button', { name: 'Add connection' }).click();
      await expect.poll(() => page.locator('tr.connection-row').count()).toBe(3);
      await expect.poll(() => page.locator('tr[data-connection="staging-vault"]').textContent()).toContain('payments/staging');
      await app.screenshot('connections-bound');

      await page.getByRole('button', { name: 'Secrets', exact: true }).click();
      await page.getByRole('button', { name: 'New environment' }).click();
      const create = page.getByRole('dialog', { name: 'New environment in payments' });
      await create.getByLabel('Name', { exact: true }).fill('laptop');
      await create.getByLabel('Stored in').selectOption({ label: 'keyring — OS keychain' });
      await create.getByRole('button', { name: 'Create' }).click();
      // No prefix: the environment takes every account of the connection's service, which is asked first.
      await page.getByRole('dialog', { name: 'Use all of keyring?' }).getByRole('button', { name: 'Use all of keyring' }).click();
      await expect.poll(() => page.getByTestId('environment-location').textContent()).toBe(`OS keychain (keyring) · service e2e-keyring-${colorScheme}`);

      await page.getByRole('button', { name: 'New secret' }).click();
      const secret = page.getByRole('dialog', { name: 'New secret in laptop' });
      expect(await secret.getByText('OS keychain keeps no notes with a secret.').count()).toBe(1);
      expect(await secret.getByPlaceholder('What it is for, who owns it').count()).toBe(0);
      await secret.getByPlaceholder('API_KEY').fill('TOKEN');
      await secret.getByLabel('Value', { exact: true }).fill(`${CANARY}-laptop`);
      await secret.getByRole('button', { name: 'Add secret' }).click();
      await expect.poll(() => page.locator('tr[data-key="TOKEN"]').count()).toBe(1);
      expect(await page.getByRole('button', { name: 'History of TOKEN' }).count()).toBe(0);
      await app.screenshot('environment-keychain');
    });

    it('a connection with a wrong token shows a readable error where it fails, and the rest of the app keeps working', async () => {
      const { page } = app;
      await page.getByRole('button', { name: 'Connections', exact: true }).click();
      await page.getByRole('button', { name: 'Add connection' }).click();
      const dialog = await fillConnection(page, { name: 'broken-vault', kind: 'HashiCorp Vault', text: { Address: app.fakes.vault!.url }, secrets: { Token: 'hvs.not-a-real-token' } });
      await dialog.getByRole('button', { name: 'Add connection' }).click();
      await page.getByRole('button', { name: 'Test connection broken-vault' }).click();
      const test = page.getByRole('dialog', { name: 'Test broken-vault' });
      await test.getByRole('button', { name: 'Run test' }).click();
      await expect.poll(() => test.locator('li.step-failed').count()).toBe(1);
      const failure = await test.locator('li.step-failed').textContent();
      expect(failure).toContain('Authenticated');
      expect(failure).toContain('connection "broken-vault"');
      await app.screenshot('connection-test-failed');
      await test.getByRole('button', { name: 'Close' }).click();

      await page.getByRole('button', { name: 'Secrets', exact: true }).click();
      await page.getByRole('button', { name: 'New environment' }).click();
      const create = page.getByRole('dialog', { name: 'New environment in payments' });
      await create.getByLabel('Name', { exact: true }).fill('qa');
      await create.getByLabel('Stored in').selectOption({ label: 'broken-vault — HashiCorp Vault' });
      await create.getByLabel('Prefix').fill('payments/qa/');
      await create.getByRole('button', { name: 'Create' }).click();
      const banner = page.locator('.banner-error');
      await expect.poll(() => banner.textContent()).toContain('Vault (broken-vault):');
      expect(await banner.textContent()).toMatch(/refused|token/i);
      await app.screenshot('environment-connection-error');

      await page.getByRole('tab', { name: /staging/ }).click();
      await expect.poll(() => page.locator('tr[data-key="DATABASE_URL"]').count()).toBe(1);
      expect(await page.locator('.banner-error').count()).toBe(0);
    });

    it('left no value or credential in the DOM, renderer storage or the logs, and raised no console errors', async () => {
      const { page } = app;
      const dom = await page.content();
      const logs = app.logLines.join('\n');
      for (const secret of [`${CANARY}-dev`, `${CANARY}-staging`, `${CANARY}-prod`, `${CANARY}-laptop`, vaultToken, awsKey.secretAccessKey, 'hvs.not-a-real-token']) {
        expect(dom).not.toContain(secret);
        expect(logs).not.toContain(secret);
      }
      expect(await page.evaluate(() => window.localStorage.length + window.sessionStorage.length)).toBe(0);
      expect(app.consoleErrors).toEqual([]);
    });
  });
}
