'use strict';
// Summarizes an async-profiler profile in collapsed form (one stack a line, its frames from
// the thread down to the leaf joined by ';', then its sample count): the frames the samples
// fell in, the innermost frame of Syncro's own code in each sample (io/syncro, what of
// Syncro a sample was spent under), and the threads, numbered threads of a pool as one.
// A profile is read without a flame graph.
//
//   node lib/profile.js file.collapsed [top]
const fs = require('fs');

const OWN = 'io/syncro/';

function add(map, key, count) {
	map.set(key, (map.get(key) || 0) + count);
}

// "[http-nio-127.0.0.1-8080-exec-12 tid=4711]" -> "http-nio-127.0.0.1-8080-exec-#"
function threadGroup(frame) {
	return frame.slice(1, -1).replace(/ tid=\d+$/, '').replace(/\d+$/, '#');
}

function summarize(text, top = 15) {
	const leaves = new Map();
	const own = new Map();
	const threads = new Map();
	let total = 0;
	let withOwn = 0;
	for (const line of text.split('\n')) {
		const space = line.lastIndexOf(' ');
		const count = Number(line.slice(space + 1));
		if (space < 0 || !(count > 0)) {
			continue;
		}
		// a lambda's class is named by its address: one name for all of them
		const frames = line.slice(0, space).replace(/\$\$Lambda[$.\d]*\/?0x[0-9a-f]+/g, '$$$$Lambda').split(';');
		total += count;
		add(leaves, frames[frames.length - 1], count);
		if (frames[0].startsWith('[') && frames[0].endsWith(']')) {
			add(threads, threadGroup(frames[0]), count);
		}
		for (let i = frames.length - 1; i >= 0; i--) {
			if (frames[i].startsWith(OWN)) {
				add(own, frames[i], count);
				withOwn += count;
				break;
			}
		}
	}
	const percent = (count) => (100 * count / total).toFixed(1).padStart(5) + '%';
	const list = (title, map, n) => [title].concat([...map].sort((a, b) => b[1] - a[1]).slice(0, n)
		.map(([frame, count]) => `  ${percent(count)} ${String(count).padStart(7)}  ${frame}`));
	if (total === 0) {
		return 'no samples';
	}
	return [
		`${total} samples, ${percent(withOwn).trim()} of them under a frame of ${OWN}`,
		...list(`top ${top} leaf frames:`, leaves, top),
		...list(`top ${top} innermost ${OWN} frames:`, own, top),
		...(threads.size ? list('top 8 threads (a pool\'s numbered threads as one):', threads, 8) : []),
	].join('\n');
}

function summarizeFile(file, top = 15) {
	return summarize(fs.readFileSync(file, 'utf8'), top);
}

module.exports = { summarize, summarizeFile };

if (require.main === module) {
	if (!process.argv[2]) {
		console.error('usage: node lib/profile.js file.collapsed [top]');
		process.exit(2);
	}
	console.log(summarizeFile(process.argv[2], Number(process.argv[3]) || 15));
}
