#!/usr/bin/env node
// Renders renderer/public/icon.svg into the app icons electron-builder packs: build/icon.png (1024 px),
// build/icons/<n>x<n>.png (Linux), build/icon.ico (Windows) and build/icon.icns (macOS). It draws the
// SVG in Chromium (playwright-core, /usr/bin/chromium or LATCHKEY_CHROMIUM) and writes the ICO and ICNS
// containers itself: both can hold PNG images as they are. Run: node scripts/make-icons.mjs
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('..', import.meta.url));
const svg = await readFile(`${root}renderer/public/icon.svg`, 'utf8');
const SIZES = [16, 32, 48, 64, 128, 256, 512, 1024];

const browser = await chromium.launch({ executablePath: process.env.LATCHKEY_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const png = {};
try {
  const page = await browser.newPage();
  for (const size of SIZES) {
    await page.setViewportSize({ width: size, height: size });
    await page.setContent(`<!doctype html><style>html,body{margin:0;background:transparent}svg{display:block;width:${size}px;height:${size}px}</style>${svg}`);
    png[size] = await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
  }
} finally {
  await browser.close();
}

await mkdir(`${root}build/icons`, { recursive: true });
await writeFile(`${root}build/icon.png`, png[1024]);
for (const size of SIZES.filter((size) => size <= 512)) await writeFile(`${root}build/icons/${size}x${size}.png`, png[size]);

// ICO: a 6-byte header, a 16-byte entry per image, then the PNGs (Windows Vista and later read PNG entries).
const icoSizes = [16, 32, 48, 64, 128, 256];
const header = Buffer.alloc(6 + 16 * icoSizes.length);
header.writeUInt16LE(0, 0);
header.writeUInt16LE(1, 2);
header.writeUInt16LE(icoSizes.length, 4);
let offset = header.length;
icoSizes.forEach((size, index) => {
  const entry = 6 + 16 * index;
  header.writeUInt8(size === 256 ? 0 : size, entry); // 0 means 256
  header.writeUInt8(size === 256 ? 0 : size, entry + 1);
  header.writeUInt16LE(1, entry + 4); // colour planes
  header.writeUInt16LE(32, entry + 6); // bits per pixel
  header.writeUInt32LE(png[size].length, entry + 8);
  header.writeUInt32LE(offset, entry + 12);
  offset += png[size].length;
});
await writeFile(`${root}build/icon.ico`, Buffer.concat([header, ...icoSizes.map((size) => png[size])]));

// ICNS: 'icns' + total length, then typed PNG chunks (type, length including its 8-byte header, data).
const icnsTypes = [
  ['icp4', 16],
  ['icp5', 32],
  ['icp6', 64],
  ['ic07', 128],
  ['ic08', 256],
  ['ic09', 512],
  ['ic10', 1024],
];
const chunks = icnsTypes.map(([type, size]) => {
  const chunkHeader = Buffer.alloc(8);
  chunkHeader.write(type, 0, 'ascii');
  chunkHeader.writeUInt32BE(png[size].length + 8, 4);
  return Buffer.concat([chunkHeader, png[size]]);
});
const icnsHeader = Buffer.alloc(8);
icnsHeader.write('icns', 0, 'ascii');
icnsHeader.writeUInt32BE(8 + chunks.reduce((sum, chunk) => sum + chunk.length, 0), 4);
await writeFile(`${root}build/icon.icns`, Buffer.concat([icnsHeader, ...chunks]));

process.stdout.write(`Wrote build/icon.png, build/icons/*.png, build/icon.ico and build/icon.icns from renderer/public/icon.svg\n`);
