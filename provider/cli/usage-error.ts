/** A mistake in how `hearth` was invoked; printed as one line with exit code 2. */
export class UsageError extends Error {}
