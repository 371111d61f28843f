/**
 * Linear file growth for in-memory PGlite (`memory://`: tests, benchmarks and the `pg` wire test server).
 * Its files live in Emscripten's MEMFS, which reallocates and copies a whole file on every size change
 * (ftruncate), and PostgreSQL changes a relation's file size every time it extends it by a few pages: a
 * bulk load of N rows cost O(N²) copying — binary COPY of 3,000 vectors went from 0.1 to 1.2 ms a vector
 * as the table grew by 30 MB, and a 10k-chunk build spent seconds in it. Growth here reuses MEMFS's own
 * geometric growth for writes (expandFileStorage); shrinking zeroes the tail instead of reallocating, so
 * bytes past the end always read as zero, as before. A data directory (NODEFS) is not affected.
 */
import type { PGlite } from '@electric-sql/pglite';

interface MemNode {
  contents: Uint8Array | null;
  usedBytes: number;
}

interface Memfs {
  expandFileStorage(node: MemNode, capacity: number): void;
  resizeFileStorage(node: MemNode, size: number): void;
  linearGrowth?: true;
}

/** Patches this instance's MEMFS (each PGlite has its own); a no-op when PGlite's internals differ. */
export function linearMemfsGrowth(pg: PGlite): boolean {
  const memfs = (pg as unknown as { Module?: { FS?: { filesystems?: { MEMFS?: Memfs } } } }).Module?.FS?.filesystems?.MEMFS;
  if (!memfs || typeof memfs.expandFileStorage !== 'function' || typeof memfs.resizeFileStorage !== 'function') return false;
  if (memfs.linearGrowth) return true;
  memfs.resizeFileStorage = (node, size) => {
    const used = node.usedBytes;
    if (size === used) return;
    node.contents ??= new Uint8Array(0);
    if (size > used) memfs.expandFileStorage(node, size);
    else node.contents.fill(0, size, used);
    node.usedBytes = size;
  };
  memfs.linearGrowth = true;
  return true;
}
