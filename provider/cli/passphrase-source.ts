/**
 * Where `hearth wallet` and `hearth claim` get a passphrase (or a key to import): `--passphrase-file
 * FILE` (its first line), HEARTH_WALLET_PASSPHRASE, or a prompt on the terminal that echoes nothing.
 * Never a flag's value: command lines are visible to every user of the machine (`ps`).
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from './usage-error.js';

/** The terminal the prompt uses (stdin/stderr in the CLI). */
export type PromptIo = { input: NodeJS.ReadStream; output: NodeJS.WritableStream };

/** Reads the first line of a secret file (a trailing newline is not part of the secret). */
export async function readSecretFile(path: string, what: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`Cannot read the ${what} file ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  const line = text.split(/\r?\n/, 1)[0] ?? '';
  if (line === '') throw new UsageError(`The ${what} file ${path} is empty.`);
  return line;
}

/** The passphrase from the file, the environment, or a hidden prompt; UsageError when none can be had. */
export async function passphraseFrom(options: { file?: string; env: NodeJS.ProcessEnv; prompt?: PromptIo; question?: string }): Promise<string> {
  if (options.file !== undefined) return readSecretFile(options.file, 'passphrase');
  const fromEnv = options.env.HEARTH_WALLET_PASSPHRASE;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (options.prompt?.input.isTTY) return promptHidden(options.prompt, options.question ?? 'Wallet passphrase: ');
  throw new UsageError('The wallet passphrase is needed: type it at the prompt (run in a terminal), or use --passphrase-file FILE or HEARTH_WALLET_PASSPHRASE.');
}

/** Asks on the terminal without echoing what is typed. */
export function promptHidden(io: PromptIo, question: string): Promise<string> {
  const { input, output } = io;
  output.write(question);
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (error: Error | null) => {
      input.setRawMode?.(false);
      input.pause();
      input.off('data', onData);
      output.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return done(null);
        if (char === '\u0003') return done(new UsageError('Cancelled.'));
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    input.setRawMode?.(true);
    input.resume();
    input.on('data', onData);
  });
}

/** A yes/no question on the terminal; false unless the answer starts with y. */
export function confirm(io: PromptIo, question: string): Promise<boolean> {
  io.output.write(question);
  return new Promise((resolve) => {
    io.input.resume();
    io.input.once('data', (chunk: Buffer) => {
      io.input.pause();
      resolve(/^\s*y/i.test(chunk.toString('utf8')));
    });
  });
}
