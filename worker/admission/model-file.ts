/**
 * Reads `<cacheDir>/<sha256>.onnx` into memory for admission. Only a plain file with one link is read:
 * never a symlink (O_NOFOLLOW, and lstat first), a hard link (onnxruntime 1.30 follows a hard link out of
 * the model folder, and a second name lets someone change the bytes behind the cache's back), a
 * directory, a device or a FIFO. The size is checked from fstat before a byte is read.
 */
import { constants } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { AdmissionError, formatBytes, shortHash } from './admission-error.js';

const SHA256_HEX = /^[0-9a-f]{64}$/;
// O_NOFOLLOW does not exist on Windows; the lstat check still refuses symlinks there.
// O_NONBLOCK keeps a FIFO swapped in after the lstat from blocking the open forever.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** The cache's file name for a model. */
export function modelFileName(sha256: string): string {
  return `${sha256}.onnx`;
}

/** Reads a cached model's bytes, refusing anything but a single-link regular file no larger than maxBytes. */
export async function readModelFile(cacheDir: string, sha256: string, maxBytes: number): Promise<Uint8Array> {
  if (!SHA256_HEX.test(sha256)) throw new AdmissionError('model_missing', 'The job names a model by something that is not a sha256 hash.');
  const subject = `Model ${shortHash(sha256)}`;
  const path = join(cacheDir, modelFileName(sha256));
  const before = await lstat(path).catch((err: unknown) => {
    throw openError(err, subject);
  });
  checkStats(before, subject, maxBytes);
  const file = await open(path, OPEN_FLAGS).catch((err: unknown) => {
    throw openError(err, subject);
  });
  try {
    const stats = await file.stat();
    if (stats.ino !== before.ino || stats.dev !== before.dev) {
      throw new AdmissionError('model_rejected', `${subject} was replaced while it was being opened; try again.`);
    }
    checkStats(stats, subject, maxBytes);
    return await readExactly(file, stats.size, subject);
  } finally {
    await file.close();
  }
}

interface FileFacts {
  size: number;
  nlink: number;
  isFile(): boolean;
  isSymbolicLink(): boolean;
}

function checkStats(stats: FileFacts, subject: string, maxBytes: number): void {
  if (stats.isSymbolicLink()) throw new AdmissionError('model_rejected', `${subject} is a symbolic link in the model cache; only plain files are loaded.`);
  if (!stats.isFile()) throw new AdmissionError('model_rejected', `${subject} is not a plain file in the model cache.`);
  if (stats.nlink > 1) {
    throw new AdmissionError('model_rejected', `${subject} has ${stats.nlink} hard links; a cached model must have exactly one. Remove it from the cache and download it again.`);
  }
  if (stats.size > maxBytes) throw new AdmissionError('model_too_large', `${subject} is ${formatBytes(stats.size)}; the limit is ${formatBytes(maxBytes)}.`);
}

function openError(err: unknown, subject: string): AdmissionError {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new AdmissionError('model_missing', `${subject} is not in the model cache.`);
  if (code === 'ELOOP') return new AdmissionError('model_rejected', `${subject} is a symbolic link in the model cache; only plain files are loaded.`);
  return new AdmissionError('model_missing', `${subject} could not be opened from the model cache (${code ?? 'unknown error'}).`);
}

async function readExactly(file: FileHandle, size: number, subject: string): Promise<Uint8Array> {
  const bytes = new Uint8Array(size);
  let offset = 0;
  while (offset < size) {
    const { bytesRead } = await file.read(bytes, offset, size - offset, offset);
    if (bytesRead === 0) break;
    offset += bytesRead;
  }
  // One byte more tells a file that grew while being read from one that did not.
  const probe = await file.read(new Uint8Array(1), 0, 1, size);
  if (offset !== size || probe.bytesRead !== 0) {
    throw new AdmissionError('model_invalid', `${subject} changed size while it was being read; try again.`);
  }
  return bytes;
}
