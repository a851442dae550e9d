/**
 * DNS-rebinding and CSRF defence for the loopback dashboard: the Host header must name the loopback
 * address we listen on, and an Origin header, when a browser sends one, must be our own origin.
 */
export function loopbackHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

/** True when the request's Host and (optional) Origin headers belong to this dashboard. */
export function isSameOriginRequest(headers: { host?: string; origin?: string }, port: number): boolean {
  const hosts = loopbackHosts(port);
  if (headers.host === undefined || !hosts.has(headers.host.toLowerCase())) return false;
  if (headers.origin === undefined) return true;
  return [...hosts].some((host) => headers.origin === `http://${host}`);
}
