// Launches Debian's Chromium through playwright-core (which brings no browser of its own).

import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

/**
 * Launches headless Chromium; fails, never skips, when it is not installed.
 * @returns {Promise<import('playwright-core').Browser>}
 */
export async function launchChromium() {
	if (!existsSync(chromiumPath)) {
		throw new Error(`Chromium is not installed at ${chromiumPath}; the browser tests need it: `
			+ 'apt-get install -y chromium (or set CHROMIUM_PATH).');
	}
	return chromium.launch({ executablePath: chromiumPath, headless: true, args: ARGS, timeout: 60_000 });
}
