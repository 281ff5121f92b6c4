/** `maestro logs` human output: a task's terminal escapes are shown, never interpreted. */
import { describe, expect, it } from 'vitest';
import { escapeControls, renderLogLine } from '../../src/cli/render-run.js';

describe('escapeControls / renderLogLine', () => {
  it('escapes OSC 52 (clipboard), title changes, cursor moves, CR/BS overwrites, C1 CSI and bidi overrides', () => {
    const attacks = ['\x1b]52;c;ZWNobyBwd25lZA==\x07', '\x1b]0;pwned\x07', '\x1b[1A\x1b[2Ksucceeded', 'ok\rFAILED', 'abc\b\b\b', '\u009b31m', 'a\u202eb'];
    for (const a of attacks) {
      const out = escapeControls(a);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: asserts that no control or bidi character reaches the terminal
      expect(out, JSON.stringify(a)).not.toMatch(/[\x00-\x08\x0a-\x1f\x7f-\x9f\u202e]/);
    }
    expect(escapeControls('\x1b]52;c;x\x07')).toBe('\\x1b]52;c;x\\x07');
    expect(escapeControls('a\u202eb')).toBe('a\\u202eb');
  });
  it('keeps ordinary text, tabs and non-ASCII letters as they are', () => {
    expect(escapeControls('héllo\twörld ✓')).toBe('héllo\twörld ✓');
  });
  it('applies to the log line, not the task column', () => {
    const line = renderLogLine({ task: 'build', ts: '2026-01-01T00:00:00Z', stream: 'stdout', line: '\x1b[2Jcleared' } as never, 5);
    expect(line).toContain('\\x1b[2Jcleared');
    expect(line).not.toContain('\x1b[2J');
  });
});
