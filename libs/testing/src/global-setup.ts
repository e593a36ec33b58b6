// Runs once before the whole suite (vitest globalSetup). Integration helpers hook their one-time work here.
export default function setup(): void {}
