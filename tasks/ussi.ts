// Filled in by the issue that owns these tasks.
export {};
