import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import * as api from '../src/index.js';

const root = new URL('../', import.meta.url);

describe('the package', () => {
	it('declares in index.d.ts exactly the values the module exports', () => {
		const declarations = readFileSync(new URL('index.d.ts', root), 'utf8');
		const declared = [...declarations.matchAll(/^export declare (?:class|function) (\w+)/gm)].map((match) => match[1]).sort();
		assert.deepEqual(declared, Object.keys(api).sort());
	});

	it('has no runtime dependencies and points its exports at the module and the declarations', () => {
		const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
		assert.equal(manifest.dependencies, undefined);
		assert.equal(manifest.type, 'module');
		assert.deepEqual(manifest.exports['.'], { types: './index.d.ts', default: './src/index.js' });
	});

	it('uses nothing of Node in its sources, so it runs in browsers', () => {
		for (const file of readdirSync(new URL('src/', root))) {
			const source = readFileSync(new URL(`src/${file}`, root), 'utf8');
			const imports = [...source.matchAll(/^import .* from '([^']+)';$/gm)].map((match) => match[1]);
			assert.ok(imports.every((path) => path.startsWith('./')), `${file} imports only its siblings: ${imports}`);
			assert.doesNotMatch(source, /\b(require\(|process\.|Buffer\.)/, file);
		}
	});
});
