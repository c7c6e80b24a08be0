// idbfs.js: a Node-style callback file system for Go's js/wasm runtime,
// kept in IndexedDB. Go's os package calls globalThis.fs (see
// $GOROOT/src/syscall/fs_js.go); neutrino stores its block and filter
// headers in flat files, so a page that reloads must find them again.
//
// Files are stored in 64 KiB chunks, loaded on first read and cached. Every
// write is committed before its callback runs, in a transaction whose scope
// covers both the "fs" and the "db" stores: IndexedDB runs such overlapping
// transactions in the order they were created, so the Go side's header index
// (in "db") can never be persisted ahead of the headers it points into.
"use strict";

const CHUNK = 64 * 1024;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const C = { O_WRONLY: 1, O_RDWR: 2, O_CREAT: 64, O_EXCL: 128, O_TRUNC: 512, O_APPEND: 1024, O_DIRECTORY: 65536 };

function fsError(code, msg) {
  const e = new Error(code + ": " + msg);
  e.code = code;
  return e;
}

function reqDone(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function txDone(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error || new Error("IndexedDB transaction failed"));
    tx.onabort = () => reject(tx.error || new Error("IndexedDB transaction aborted"));
  });
}

// openStore opens (or creates) the database that holds one node's state.
export async function openStore(name) {
  const req = indexedDB.open(name, 1);
  req.onupgradeneeded = () => {
    const db = req.result;
    db.createObjectStore("fs");
    db.createObjectStore("db");
  };
  return reqDone(req);
}

export class IdbFS {
  constructor(idb) {
    this.idb = idb;
    this.constants = C;
    this.meta = new Map([["/", { dir: true, size: 0, mtime: Date.now() }]]);
    this.chunks = new Map(); // path -> Map(index -> Uint8Array)
    this.fds = new Map();
    this.nextFd = 100;
    this.queue = Promise.resolve(); // serialises operations, like a disk
    this.pending = 0; // operations queued and not yet answered
    this.out = "";
  }

  // load reads every file's metadata; chunks come later, on demand.
  async load() {
    const tx = this.idb.transaction(["fs"], "readonly");
    const store = tx.objectStore("fs");
    const range = IDBKeyRange.bound(["m", ""], ["m", "\uffff"]);
    const [keys, vals] = await Promise.all([reqDone(store.getAllKeys(range)), reqDone(store.getAll(range))]);
    keys.forEach((k, i) => this.meta.set(k[1], vals[i]));
  }

  // run queues one operation and reports its outcome to a Node-style callback.
  run(cb, fn) {
    this.pending++;
    this.queue = this.queue.then(fn).then((v) => { this.pending--; cb(null, v); }, (e) => { this.pending--; cb(e); });
  }

  // now answers at once when nothing is queued and sync can answer from
  // memory (it returns undefined if it cannot), otherwise it queues async.
  // Go waits for every fs callback; answering in the same call saves a trip
  // through the event loop, which dominates header validation's many reads.
  now(cb, sync, async) {
    if (this.pending === 0) {
      let v;
      try { v = sync(); } catch (e) { cb(e); return; }
      if (v !== undefined) { cb(null, v); return; }
    }
    this.run(cb, async);
  }

  parent(path) {
    const i = path.lastIndexOf("/");
    return i <= 0 ? "/" : path.slice(0, i);
  }

  norm(path) {
    const parts = [];
    for (const p of String(path).split("/")) {
      if (p === "" || p === ".") continue;
      if (p === "..") parts.pop(); else parts.push(p);
    }
    return "/" + parts.join("/");
  }

  statOf(path) {
    const m = this.meta.get(path);
    if (!m) throw fsError("ENOENT", path);
    const mode = m.dir ? S_IFDIR | 0o755 : S_IFREG | 0o644;
    return {
      dev: 1, ino: 1, mode, nlink: 1, uid: 0, gid: 0, rdev: 0, size: m.size, blksize: CHUNK,
      blocks: Math.ceil(m.size / 512), atimeMs: m.mtime, mtimeMs: m.mtime, ctimeMs: m.mtime,
      isDirectory: () => !!m.dir,
    };
  }

  async chunkMap(path) {
    let map = this.chunks.get(path);
    if (map) return map;
    map = new Map();
    const tx = this.idb.transaction(["fs"], "readonly");
    const range = IDBKeyRange.bound(["c", path, 0], ["c", path, Infinity]);
    const store = tx.objectStore("fs");
    const [keys, vals] = await Promise.all([reqDone(store.getAllKeys(range)), reqDone(store.getAll(range))]);
    keys.forEach((k, i) => map.set(k[2], new Uint8Array(vals[i])));
    this.chunks.set(path, map);
    return map;
  }

  // persist writes metadata and the given chunks (and deletes others) in
  // one transaction over both stores, resolving once it is committed.
  async persist(path, dirty, dropFrom) {
    const tx = this.idb.transaction(["fs", "db"], "readwrite");
    const store = tx.objectStore("fs");
    const m = this.meta.get(path);
    if (m) store.put(m, ["m", path]); else store.delete(["m", path]);
    if (dropFrom !== undefined) store.delete(IDBKeyRange.bound(["c", path, dropFrom], ["c", path, Infinity]));
    const map = this.chunks.get(path);
    for (const i of dirty || []) store.put(map.get(i), ["c", path, i]);
    await txDone(tx);
  }

  open(path, flags, mode, cb) {
    this.run(cb, async () => {
      path = this.norm(path);
      let m = this.meta.get(path);
      if (m && (flags & C.O_CREAT) && (flags & C.O_EXCL)) throw fsError("EEXIST", path);
      if (!m) {
        if (!(flags & C.O_CREAT)) throw fsError("ENOENT", path);
        const dir = this.meta.get(this.parent(path));
        if (!dir || !dir.dir) throw fsError("ENOENT", this.parent(path));
        m = { dir: false, size: 0, mtime: Date.now() };
        this.meta.set(path, m);
        this.chunks.set(path, new Map());
        await this.persist(path, [], 0);
      } else if ((flags & C.O_TRUNC) && !m.dir) {
        await this.truncateTo(path, 0);
      }
      const fd = this.nextFd++;
      this.fds.set(fd, { path, flags });
      return fd;
    });
  }

  fdPath(fd) {
    const f = this.fds.get(fd);
    if (!f) throw fsError("EBADF", "fd " + fd);
    return f;
  }

  close(fd, cb) { this.run(cb, async () => { this.fdPath(fd); this.fds.delete(fd); }); }
  fsync(fd, cb) { this.run(cb, async () => { this.fdPath(fd); }); }
  fstat(fd, cb) {
    const st = () => this.statOf(this.fdPath(fd).path);
    this.now(cb, st, async () => st());
  }
  stat(path, cb) {
    const st = () => this.statOf(this.norm(path));
    this.now(cb, st, async () => st());
  }
  lstat(path, cb) { this.stat(path, cb); }

  read(fd, buf, off, len, pos, cb) {
    const sync = () => {
      const f = this.fdPath(fd);
      const map = this.chunks.get(f.path);
      return map ? this.readFrom(f, map, buf, off, len, pos) : undefined;
    };
    this.now(cb, sync, async () => {
      const f = this.fdPath(fd);
      return this.readFrom(f, await this.chunkMap(f.path), buf, off, len, pos);
    });
  }

  // readFrom copies from a file's loaded chunks; a hole reads as zeros.
  readFrom(f, map, buf, off, len, pos) {
    const m = this.meta.get(f.path);
    if (!m) throw fsError("ENOENT", f.path);
    if (m.dir) throw fsError("EISDIR", f.path);
    const at = pos === null || pos === undefined ? f.pos || 0 : pos;
    const n = Math.max(0, Math.min(len, m.size - at));
    for (let done = 0; done < n;) {
      const i = Math.floor((at + done) / CHUNK), o = (at + done) % CHUNK;
      const take = Math.min(CHUNK - o, n - done);
      const chunk = map.get(i);
      if (chunk) buf.set(chunk.subarray(o, o + take), off + done);
      else buf.fill(0, off + done, off + done + take);
      done += take;
    }
    if (pos === null || pos === undefined) f.pos = at + n;
    return n;
  }

  write(fd, buf, off, len, pos, cb) {
    if (fd === 1 || fd === 2) { // Go's stdout and stderr go to the console
      this.out += new TextDecoder().decode(buf.subarray(off, off + len));
      const nl = this.out.lastIndexOf("\n");
      if (nl >= 0) { console.log(this.out.slice(0, nl)); this.out = this.out.slice(nl + 1); }
      cb(null, len);
      return;
    }
    this.run(cb, async () => {
      const f = this.fdPath(fd);
      const m = this.meta.get(f.path);
      let at = (f.flags & C.O_APPEND) ? m.size : (pos === null || pos === undefined ? f.pos || 0 : pos);
      const map = await this.chunkMap(f.path);
      const dirty = new Set();
      for (let done = 0; done < len;) {
        const i = Math.floor((at + done) / CHUNK), o = (at + done) % CHUNK;
        const take = Math.min(CHUNK - o, len - done);
        let chunk = map.get(i);
        if (!chunk) { chunk = new Uint8Array(CHUNK); map.set(i, chunk); }
        chunk.set(buf.subarray(off + done, off + done + take), o);
        dirty.add(i);
        done += take;
      }
      m.size = Math.max(m.size, at + len);
      m.mtime = Date.now();
      if (pos === null || pos === undefined) f.pos = at + len;
      await this.persist(f.path, dirty);
      return len;
    });
  }

  // writeSync is what wasm_exec.js's own console output path uses.
  writeSync(fd, buf) {
    this.write(fd, buf, 0, buf.length, null, () => {});
    return buf.length;
  }

  async truncateTo(path, size) {
    const m = this.meta.get(path);
    if (!m) throw fsError("ENOENT", path);
    const map = await this.chunkMap(path);
    const keep = Math.ceil(size / CHUNK);
    for (const i of [...map.keys()]) if (i >= keep) map.delete(i);
    const dirty = [];
    if (size % CHUNK && map.has(keep - 1)) {
      map.get(keep - 1).fill(0, size % CHUNK);
      dirty.push(keep - 1);
    }
    m.size = size;
    m.mtime = Date.now();
    await this.persist(path, dirty, keep);
  }

  ftruncate(fd, len, cb) { this.run(cb, async () => this.truncateTo(this.fdPath(fd).path, len)); }
  truncate(path, len, cb) { this.run(cb, async () => this.truncateTo(this.norm(path), len)); }

  mkdir(path, perm, cb) {
    this.run(cb, async () => {
      path = this.norm(path);
      if (this.meta.has(path)) throw fsError("EEXIST", path);
      const parent = this.meta.get(this.parent(path));
      if (!parent || !parent.dir) throw fsError("ENOENT", this.parent(path));
      this.meta.set(path, { dir: true, size: 0, mtime: Date.now() });
      await this.persist(path);
    });
  }

  children(path) {
    const prefix = path === "/" ? "/" : path + "/";
    return [...this.meta.keys()].filter((p) => p !== path && p.startsWith(prefix) && !p.slice(prefix.length).includes("/"))
      .map((p) => p.slice(prefix.length));
  }

  readdir(path, cb) {
    this.run(cb, async () => {
      path = this.norm(path);
      const m = this.meta.get(path);
      if (!m) throw fsError("ENOENT", path);
      if (!m.dir) throw fsError("ENOTDIR", path);
      return this.children(path);
    });
  }

  unlink(path, cb) {
    this.run(cb, async () => {
      path = this.norm(path);
      const m = this.meta.get(path);
      if (!m) throw fsError("ENOENT", path);
      if (m.dir) throw fsError("EISDIR", path);
      this.meta.delete(path);
      this.chunks.delete(path);
      await this.persist(path, [], 0);
    });
  }

  rmdir(path, cb) {
    this.run(cb, async () => {
      path = this.norm(path);
      const m = this.meta.get(path);
      if (!m) throw fsError("ENOENT", path);
      if (!m.dir) throw fsError("ENOTDIR", path);
      if (this.children(path).length) throw fsError("ENOTEMPTY", path);
      this.meta.delete(path);
      await this.persist(path);
    });
  }

  rename(from, to, cb) {
    this.run(cb, async () => {
      from = this.norm(from); to = this.norm(to);
      const m = this.meta.get(from);
      if (!m) throw fsError("ENOENT", from);
      if (m.dir) throw fsError("ENOSYS", "renaming directories");
      const map = await this.chunkMap(from);
      if (this.meta.has(to)) {
        this.meta.delete(to);
        this.chunks.delete(to);
        await this.persist(to, [], 0);
      }
      this.meta.set(to, m);
      this.chunks.set(to, map);
      await this.persist(to, [...map.keys()], 0);
      this.meta.delete(from);
      this.chunks.delete(from);
      await this.persist(from, [], 0);
    });
  }

  // Permissions and times have no meaning here; succeed so Go's os package
  // behaves as on a real file system.
  chmod(path, mode, cb) { cb(null); }
  fchmod(fd, mode, cb) { cb(null); }
  chown(path, uid, gid, cb) { cb(null); }
  fchown(fd, uid, gid, cb) { cb(null); }
  lchown(path, uid, gid, cb) { cb(null); }
  utimes(path, atime, mtime, cb) { cb(null); }
  link(path, link, cb) { cb(fsError("ENOSYS", "link")); }
  symlink(path, link, cb) { cb(fsError("ENOSYS", "symlink")); }
  readlink(path, cb) { cb(fsError("EINVAL", path)); }
}

// unpackRecords reads wasm/journal.go's packing: a uint32 count of puts,
// each a uint32-length-prefixed key and value, then a uint32 count of
// deletes, each a uint32-length-prefixed key (all little-endian). It returns
// fresh ArrayBuffers, so IndexedDB stores just the record, not the batch.
export function unpackRecords(packed) {
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  let at = 0;
  const u32 = () => { const v = view.getUint32(at, true); at += 4; return v; };
  const bytes = () => { const n = u32(); const b = packed.slice(at, at + n).buffer; at += n; return b; };
  const puts = [], dels = [];
  for (let n = u32(); n > 0; n--) { const k = bytes(); puts.push([k, bytes()]); }
  for (let n = u32(); n > 0; n--) dels.push(bytes());
  if (at !== packed.byteLength) throw new Error("kvCommit: malformed batch");
  return { puts, dels };
}

// kvLoad and kvCommit are the Go side's walletdb journal (wasm/journal.go).
export function kvHost(idb) {
  return {
    async kvLoad() {
      const tx = idb.transaction(["db"], "readonly");
      const store = tx.objectStore("db");
      const [keys, vals] = await Promise.all([reqDone(store.getAllKeys()), reqDone(store.getAll())]);
      return keys.map((k, i) => [new Uint8Array(k), new Uint8Array(vals[i])]);
    },
    // kvCommit takes one transaction's changes packed in a single buffer
    // (see wasm/journal.go): crossing from Go to JS once per record would
    // cost more than the IndexedDB writes themselves.
    async kvCommit(packed) {
      const { puts, dels } = unpackRecords(packed);
      // strict: the channel state in this batch must be on disk before
      // Go is told it is stored and sends the message that depends on it.
      const tx = idb.transaction(["fs", "db"], "readwrite", { durability: "strict" });
      const store = tx.objectStore("db");
      for (const k of dels) store.delete(k);
      for (const [k, v] of puts) store.put(v, k);
      await txDone(tx);
    },
  };
}
