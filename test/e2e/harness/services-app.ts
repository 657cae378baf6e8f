import { realKeychain } from '../../harness/keyring';
import { launchApp, type AppUnderTest } from './launch';

/**
 * The app as the services e2e suites start it: the real keyring (admin credentials of services live
 * there), project `shop` with environment `dev` holding one secret, at the app's minimum window size
 * (electron/main/main-window.ts), where everything the suite presses must fit.
 */
export async function launchWithSecret(key: string, value: string): Promise<AppUnderTest> {
  const app = await launchApp({ colorScheme: 'light', keychain: realKeychain() });
  await app.core.projects.createProject('shop');
  await app.core.projects.createEnvironment('shop', 'dev');
  await app.core.secrets.create('shop', 'dev', key, value);
  await app.page.setViewportSize({ width: 960, height: 600 });
  await app.page.reload();
  return app;
}

/** Removes the suite's rotators and services (which deletes their admin credentials from the keyring), then closes the app. */
export async function removeServicesAndClose(app: AppUnderTest): Promise<void> {
  for (const rotator of await app.core.services.rotators.list()) await app.core.services.rotators.remove(rotator.ref);
  for (const service of await app.core.services.registry.list()) await app.core.services.registry.remove(service.name, { confirmed: true });
  await app.close();
}
