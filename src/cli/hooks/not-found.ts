/**
 * oclif `command_not_found` hook: `maestro rnu wf.yaml` says which word is unknown and suggests the
 * nearest command ("did you mean: maestro run wf.yaml?"), then exits 2 (usage), never prompting.
 */
import type { Hook } from '@oclif/core/hooks';
import { closest } from '../usage.js';

const hook: Hook<'command_not_found'> = async function (opts) {
  const visible = opts.config.commands.filter((c) => !c.hidden).flatMap((c) => [c.id, ...c.aliases]);
  const words = opts.id.split(':');
  // The longest prefix of the words that is close to a command (the rest are its arguments).
  let suggestion: { id: string; rest: string[]; typed: string } | undefined;
  for (let n = Math.min(words.length, 4); n >= 1 && !suggestion; n--) {
    const typed = words.slice(0, n).join(':');
    const near = closest(
      typed,
      visible.filter((id) => id.split(':').length === n),
    );
    if (near) suggestion = { id: near, rest: [...words.slice(n), ...(opts.argv ?? [])], typed };
  }
  const show = (id: string) => id.replace(/:/g, ' ');
  const unknown = suggestion ? show(suggestion.typed) : words[0]!;
  const hint = suggestion
    ? `did you mean: ${opts.config.bin} ${[show(suggestion.id), ...suggestion.rest].join(' ')}? (all commands: ${opts.config.bin} help)`
    : `all commands: ${opts.config.bin} help`;
  process.stderr.write(`error: "${unknown}" is not a ${opts.config.bin} command (hint: ${hint})\n`);
  process.exitCode = 2;
  this.exit(2);
};

export default hook;
