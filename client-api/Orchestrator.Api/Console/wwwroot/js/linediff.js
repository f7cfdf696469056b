// A line diff of two texts for the plan view's side-by-side versions: the common prefix and suffix are cut off, then
// a longest common subsequence over the remaining lines (a (n+1)×(m+1) table). Plans are a few hundred lines; past
// MAX_CELLS line pairs in the middle (2,000 × 2,000) the diff is not computed and the caller shows both texts plain.

export const MAX_CELLS = 4_000_000;

/**
 * Answers { rows, tooLarge } where rows pairs the lines for a side-by-side view:
 * { kind: 'same' | 'change' | 'del' | 'add', left: {n, text} | null, right: {n, text} | null } (n from 1).
 * A run of removed lines next to a run of added ones is paired row by row as 'change'.
 */
export function diffLines(a, b) {
  const left = splitLines(a);
  const right = splitLines(b);
  let start = 0;
  while (start < left.length && start < right.length && left[start] === right[start]) start++;
  let endL = left.length;
  let endR = right.length;
  while (endL > start && endR > start && left[endL - 1] === right[endR - 1]) { endL--; endR--; }
  const n = endL - start;
  const m = endR - start;
  if ((n + 1) * (m + 1) > MAX_CELLS) return { rows: [], tooLarge: true };

  // lcs[i][j]: the longest common subsequence of left[start+i..endL) and right[start+j..endR).
  const width = m + 1;
  const lcs = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * width + j] = left[start + i] === right[start + j]
        ? lcs[(i + 1) * width + j + 1] + 1
        : Math.max(lcs[(i + 1) * width + j], lcs[i * width + j + 1]);
    }
  }

  const ops = [];
  for (let k = 0; k < start; k++) ops.push(['same', k, k]);
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && left[start + i] === right[start + j]) { ops.push(['same', start + i, start + j]); i++; j++; }
    else if (j < m && (i === n || lcs[i * width + j + 1] >= lcs[(i + 1) * width + j])) { ops.push(['add', -1, start + j]); j++; }
    else { ops.push(['del', start + i, -1]); i++; }
  }
  for (let k = 0; k < left.length - endL; k++) ops.push(['same', endL + k, endR + k]);

  const rows = [];
  const line = (lines, at) => ({ n: at + 1, text: lines[at] });
  for (let k = 0; k < ops.length;) {
    if (ops[k][0] === 'same') { rows.push({ kind: 'same', left: line(left, ops[k][1]), right: line(right, ops[k][2]) }); k++; continue; }
    const dels = [];
    const adds = [];
    while (k < ops.length && ops[k][0] !== 'same') {
      if (ops[k][0] === 'del') dels.push(ops[k][1]); else adds.push(ops[k][2]);
      k++;
    }
    for (let p = 0; p < Math.max(dels.length, adds.length); p++) {
      const l = p < dels.length ? line(left, dels[p]) : null;
      const r = p < adds.length ? line(right, adds[p]) : null;
      rows.push({ kind: l && r ? 'change' : l ? 'del' : 'add', left: l, right: r });
    }
  }
  return { rows, tooLarge: false };
}

/** Lines of a text; a final newline does not make an empty last line. */
export function splitLines(text) {
  const lines = String(text ?? '').replace(/\r\n?/g, '\n').split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
