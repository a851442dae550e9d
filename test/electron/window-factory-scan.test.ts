import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const SCANNED = ['common', 'provider', 'electron', 'worker', 'renderer', 'marketplace', 'scripts', 'bin'];
const FACTORY = 'electron/window.ts';
/** `new BrowserWindow(`, also through a namespace (`new electron.BrowserWindow (`). */
const CONSTRUCTION = /new\s+(?:[\w$]+\s*\.\s*)*BrowserWindow\s*\(/;

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return /\.(?:[cm]?[jt]sx?)$/.test(entry.name) ? [path] : [];
  });
}

describe('the one window factory', () => {
  it('recognises a window construction in its usual spellings', () => {
    expect(CONSTRUCTION.test('const w = new BrowserWindow({})')).toBe(true);
    expect(CONSTRUCTION.test('new electron.BrowserWindow ({})')).toBe(true);
    expect(CONSTRUCTION.test('new BrowserWindowCtor(options)')).toBe(false);
    expect(CONSTRUCTION.test('BrowserWindow.getAllWindows()')).toBe(false);
  });

  it(`finds no \`new BrowserWindow(\` outside ${FACTORY}`, () => {
    const files = SCANNED.flatMap((dir) => sourceFiles(join(ROOT, dir))).map((path) => relative(ROOT, path).split('\\').join('/'));
    expect(files).toContain(FACTORY);
    expect(files).toContain('electron/main.ts');
    const offenders = files.filter((file) => file !== FACTORY && CONSTRUCTION.test(readFileSync(join(ROOT, file), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
