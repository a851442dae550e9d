/**
 * The Content-Security-Policy the renderer is served with, by the headless HTTP server and by the
 * Electron app protocol alike: only our own scripts and styles, no inline code, no eval, Trusted Types
 * enforced so no string can reach an HTML sink, and no framing.
 */
export const RENDERER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');
