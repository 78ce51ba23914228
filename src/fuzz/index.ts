/** Crash-recovery fuzzing: the simulated disk (and, as it lands, the simulator that drives the engine on it). */
export * from './sim-fs.js';
export * from './simulator.js';
export * from './campaign.js';
export * from './input-fuzz.js';
