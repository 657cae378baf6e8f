import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { matchesGlob } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FuseV1Options, FuseVersion } from '@electron/fuses';
import { describe, expect, it } from 'vitest';

/**
 * The packaging configuration, checked without the Electron binary: electron-builder.yml as
 * electron-builder itself loads and validates it, the fuses the afterPack hook flips on each platform,
 * keytar outside the asar, the icons and the macOS entitlements.
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));
const require = createRequire(import.meta.url);

interface BuilderConfig {
  appId?: string;
  asar?: boolean;
  asarUnpack?: string[];
  files?: (string | { filter?: string[] })[];
  afterPack?: string;
  directories?: { buildResources?: string };
  linux?: { target?: string[]; icon?: string };
  mac?: { target?: string; hardenedRuntime?: boolean; entitlements?: string; entitlementsInherit?: string; icon?: string };
  win?: { target?: string; icon?: string };
  electronFuses?: unknown;
}

async function loadConfig(): Promise<BuilderConfig> {
  // electron-builder's own loader and JSON-schema validation (what `npm run dist` runs first).
  const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
    getConfig(projectDir: string, configPath: string | null, fromOptions: null): Promise<BuilderConfig>;
    validateConfiguration(config: BuilderConfig, logger: unknown): Promise<void>;
  };
  const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
  const config = await getConfig(root, `${root}electron-builder.yml`, null);
  await validateConfiguration(config, new DebugLogger(false));
  return config;
}

type Fuses = Record<string | number, unknown>;
const hook = require(`${root}scripts/after-pack.cjs`) as ((context: unknown) => Promise<void>) & { fusesFor(platform: string): Fuses };

function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('packaging (electron-builder.yml, fuses, icons), without the Electron binary', () => {
  it("is a configuration electron-builder loads and accepts, with the app's id", async () => {
    const config = await loadConfig();
    expect(config.appId).toBe('dev.latchkey.app');
    const pkg = JSON.parse(await readFile(`${root}package.json`, 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.dist).toMatch(/npm run build && electron-builder --config electron-builder\.yml/);
  });

  it('packs the app into an asar, without source maps, with keytar’s native module unpacked', async () => {
    const config = await loadConfig();
    expect(config.asar).toBe(true);
    // electron-builder normalises `files` into file sets; flatten them back into patterns.
    const patterns = (config.files ?? []).flatMap((entry) => (typeof entry === 'string' ? [entry] : (entry.filter ?? [])));
    expect(patterns).toEqual(expect.arrayContaining(['out/**', 'package.json', '!**/*.map']));
    const native = 'node_modules/keytar/build/Release/keytar.node';
    await stat(`${root}${native}`);
    expect(config.asarUnpack?.some((pattern) => matchesGlob(native, pattern)), 'keytar.node is unpacked').toBe(true);
    // Nothing else leaves the archive.
    expect(config.asarUnpack?.every((pattern) => pattern.startsWith('node_modules/keytar/'))).toBe(true);
  });

  it('targets AppImage and deb, a hardened-runtime dmg with its entitlements, and nsis', async () => {
    const config = await loadConfig();
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.mac).toMatchObject({ target: 'dmg', hardenedRuntime: true, entitlements: 'build/entitlements.mac.plist', entitlementsInherit: 'build/entitlements.mac.plist' });
    expect(config.win?.target).toBe('nsis');
    const entitlements = await readFile(`${root}build/entitlements.mac.plist`, 'utf8');
    expect(entitlements).toContain('<key>com.apple.security.cs.allow-jit</key>');
    // None of the entitlements that undo the hardened runtime's protections.
    for (const weakening of ['get-task-allow', 'disable-library-validation', 'allow-dyld-environment-variables', 'allow-unsigned-executable-memory', 'disable-executable-page-protection']) {
      expect(entitlements, weakening).not.toContain(weakening);
    }
  });

  it('flips the fuses on every platform after packing: RunAsNode, NODE_OPTIONS and --inspect off, cookie encryption and asar-only on', async () => {
    const config = await loadConfig();
    expect(config.afterPack).toBe('scripts/after-pack.cjs');
    // The fuses come from the hook only, so electron-builder's own electronFuses must not fight it.
    expect(config.electronFuses).toBeUndefined();
    for (const platform of ['linux', 'darwin', 'mas', 'win32']) {
      const fuses = hook.fusesFor(platform);
      expect(fuses.version, platform).toBe(FuseVersion.V1);
      expect(fuses[FuseV1Options.RunAsNode], platform).toBe(false);
      expect(fuses[FuseV1Options.EnableNodeOptionsEnvironmentVariable], platform).toBe(false);
      expect(fuses[FuseV1Options.EnableNodeCliInspectArguments], platform).toBe(false);
      expect(fuses[FuseV1Options.EnableCookieEncryption], platform).toBe(true);
      expect(fuses[FuseV1Options.OnlyLoadAppFromAsar], platform).toBe(true);
      expect(fuses[FuseV1Options.GrantFileProtocolExtraPrivileges], platform).toBe(false);
      // Every fuse @electron/fuses knows is decided explicitly, so a new one is a conscious choice.
      for (const option of Object.values(FuseV1Options).filter((value) => typeof value === 'number')) {
        expect(typeof fuses[option], `${platform}: fuse ${FuseV1Options[option as number]}`).toBe('boolean');
      }
    }
    // Asar integrity where Electron supports it: macOS, and Windows (Electron 30+); not Linux.
    expect(hook.fusesFor('darwin')[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(true);
    expect(hook.fusesFor('win32')[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(true);
    expect(hook.fusesFor('linux')[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(false);
    expect(hook.fusesFor('darwin').resetAdHocDarwinSignature).toBe(true);
  });

  it('the hook hands those fuses to electron-builder for the packed binary', async () => {
    const flipped: { platform: string; fuses: Fuses }[] = [];
    for (const platform of ['linux', 'darwin', 'win32']) {
      const context = {
        electronPlatformName: platform,
        appOutDir: '/tmp/out',
        packager: { addElectronFuses: async (received: { electronPlatformName: string }, fuses: Fuses) => void flipped.push({ platform: received.electronPlatformName, fuses }) },
      };
      await hook(context);
    }
    expect(flipped.map(({ platform, fuses }) => ({ platform, fuses }))).toEqual(['linux', 'darwin', 'win32'].map((platform) => ({ platform, fuses: hook.fusesFor(platform) })));
  });

  it('has icons for every platform, made from the app’s SVG', async () => {
    const config = await loadConfig();
    expect(pngSize(await readFile(`${root}build/icon.png`))).toEqual({ width: 1024, height: 1024 });
    for (const size of [16, 32, 48, 64, 128, 256, 512]) expect(pngSize(await readFile(`${root}build/icons/${size}x${size}.png`))).toEqual({ width: size, height: size });
    expect(config.linux?.icon).toBe('build/icons');
    const ico = await readFile(`${root}${config.win?.icon}`);
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2), ico.readUInt16LE(4)]).toEqual([0, 1, 6]);
    const icns = await readFile(`${root}${config.mac?.icon}`);
    expect(icns.subarray(0, 4).toString('ascii')).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
  });
});
