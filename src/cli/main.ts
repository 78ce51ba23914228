/**
 * `strongbox <tool> ...`: the command-line tools. Each tool is a module under src/cli/ that registers here.
 * Returns the process exit code.
 */
import { rdbTool } from './rdb.js';
import { aofTool } from './aof.js';
import { fuzzTool } from './fuzz.js';

export interface Tool {
  name: string;
  summary: string;
  run(args: readonly string[]): Promise<number>;
}

export const tools: Tool[] = [rdbTool, aofTool, fuzzTool];

function usage(): string {
  const lines = ['Usage: strongbox <tool> [arguments]', '', 'Tools:'];
  for (const tool of tools) lines.push(`  ${tool.name.padEnd(10)} ${tool.summary}`);
  if (tools.length === 0) lines.push('  (none yet)');
  lines.push('', "Run 'strongbox <tool> --help' for a tool's options.");
  return lines.join('\n') + '\n';
}

export async function main(argv: readonly string[]): Promise<number> {
  const name = argv[0];
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 1 : 0;
  }
  const tool = tools.find((t) => t.name === name);
  if (tool === undefined) {
    process.stderr.write(`strongbox: unknown tool '${name}'\n\n${usage()}`);
    return 1;
  }
  return tool.run(argv.slice(1));
}
