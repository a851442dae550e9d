/** Which coordinator URLs a provider may dial: `wss://` anywhere, plain `ws://` only to this machine. */

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** The URL to dial, or an error that says why it may not be dialled. */
export function checkDialUrl(text: string): { ok: true; url: URL } | { ok: false; message: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, message: `${text} is not a URL; use wss://host/provider.` };
  }
  if (url.protocol === 'wss:') return { ok: true, url };
  if (url.protocol === 'ws:' && LOOPBACK.test(url.hostname)) return { ok: true, url };
  if (url.protocol === 'ws:') return { ok: false, message: `Unencrypted ws:// is only allowed to this machine; use wss://${url.host}${url.pathname}.` };
  return { ok: false, message: `A coordinator URL starts with wss://, not ${url.protocol}//.` };
}
