/** debug commands: not implemented yet (this list is filled by the family's own work). */
import type { CommandDef } from './table.js';

export const debugCommands: CommandDef[] = [];
