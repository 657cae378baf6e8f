// electron-builder's afterPack hook (electron-builder.yml): flips Electron's fuses in the packed
// binary, before it is signed. Fuses are compiled-in switches that no command-line flag or environment
// variable can turn back on. test/unit/packaging/electron-builder-config.test.ts checks fusesFor().
const { FuseV1Options, FuseVersion } = require('@electron/fuses');

/** The fuses of a packaged Latchkey on `platform` (electron-builder's electronPlatformName). */
function fusesFor(platform) {
  const apple = platform === 'darwin' || platform === 'mas';
  return {
    version: FuseVersion.V1,
    // Flipping a fuse breaks the ad-hoc signature that lets an unsigned build run on Apple silicon.
    resetAdHocDarwinSignature: apple,
    // SECURITY: ELECTRON_RUN_AS_NODE cannot turn the signed app into a general Node.js interpreter.
    [FuseV1Options.RunAsNode]: false,
    // SECURITY: NODE_OPTIONS and NODE_EXTRA_CA_CERTS cannot inject code or trust into the main process.
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
    // SECURITY: --inspect and SIGUSR1 cannot attach a debugger to the process that holds the keys.
    [FuseV1Options.EnableNodeCliInspectArguments]: false,
    // SECURITY: Chromium's cookie store is encrypted with the OS keychain (Latchkey sets no cookies; defence in depth).
    [FuseV1Options.EnableCookieEncryption]: true,
    // SECURITY: only app.asar is loaded, never a replaced app/ folder next to it.
    [FuseV1Options.OnlyLoadAppFromAsar]: true,
    // SECURITY: app.asar is checked against the hash embedded at packaging, where Electron supports it
    // (macOS; Windows since Electron 30). Linux has no asar integrity check.
    [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: apple || platform === 'win32',
    // SECURITY: file:// pages get no privileges beyond a browser's (the app loads app://latchkey).
    [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
    [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
  };
}

async function afterPack(context) {
  await context.packager.addElectronFuses(context, fusesFor(context.electronPlatformName));
}

module.exports = afterPack;
module.exports.default = afterPack;
module.exports.fusesFor = fusesFor;
