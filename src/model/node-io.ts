/**
 * File access for Node, Deno and Bun, loaded on first use through a computed specifier so that
 * browsers and bundlers never see a `node:` import.
 * @module
 */

/** The part of node:fs/promises the model entry uses. */
export interface Fs {
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: Uint8Array): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string, options: { force: boolean }): Promise<void>;
  open(path: string, flags: string): Promise<{
    write(data: Uint8Array, offset: number, length: number): Promise<{ bytesWritten: number }>;
    close(): Promise<void>;
  }>;
}

let fsP: Promise<Fs> | undefined;
let urlP: Promise<{ fileURLToPath(u: URL): string }> | undefined;

/** node:fs/promises (rejects with a TypeError where the runtime has no file system). */
export function nodeFs(): Promise<Fs> {
  const spec = 'node:fs/promises';
  fsP ??= (import(spec) as Promise<Fs>).catch(() => {
    throw new TypeError('paths need a runtime with a file system (Node, Deno, Bun); pass the bytes instead');
  });
  return fsP;
}

/** A path from a string or a file: URL. */
export async function toPath(p: string | URL): Promise<string> {
  if (typeof p === 'string') return p;
  const spec = 'node:url';
  urlP ??= import(spec) as Promise<{ fileURLToPath(u: URL): string }>;
  return (await urlP).fileURLToPath(p);
}

/** The directory part of a path ('.' when there is none). */
export function dirname(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i < 0 ? '.' : i === 0 ? p.slice(0, 1) : p.slice(0, i);
}

/** The file name part of a path. */
export function basename(p: string): string {
  return p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);
}

/** A relative path joined onto a directory. */
export function join(dir: string, rel: string): string {
  return dir === '.' ? rel : /[\\/]$/.test(dir) ? dir + rel : `${dir}/${rel}`;
}

/** Error code of a file system error, or its message. */
export function errCode(e: unknown): string {
  return (e as { code?: string }).code ?? (e as Error).message;
}

/**
 * Write to a temporary file beside `path`, then rename it onto `path` (no partial file on failure).
 * A list of parts is written one after the other, without joining them in memory.
 */
export async function atomicWrite(path: string, bytes: Uint8Array | readonly Uint8Array[]): Promise<void> {
  const fs = await nodeFs();
  const tmp = `${path}.tmp-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  try {
    if (bytes instanceof Uint8Array) await fs.writeFile(tmp, bytes);
    else {
      const fh = await fs.open(tmp, 'w');
      try {
        for (const part of bytes) {
          for (let at = 0; at < part.length; ) at += (await fh.write(part, at, part.length - at)).bytesWritten;
        }
      } finally {
        await fh.close();
      }
    }
    await fs.rename(tmp, path);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}
