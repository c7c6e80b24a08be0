package itest

import (
	"io/fs"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"lnwasm/web"
)

// idbfsScenario drives web/idbfs.js in a real browser through the same
// Node-style callback API Go's os package uses. Phase "write" builds files;
// phase "read" runs after a reload, on a new IdbFS, and checks they are back.
const idbfsScenario = `<!doctype html><script type="module">
import { openStore, IdbFS } from "./idbfs.js";
const C = { RDWR: 2, CREAT: 64, EXCL: 128, APPEND: 1024 };
const phase = new URLSearchParams(location.search).get("phase");
const log = [];
const check = (ok, what) => { if (!ok) log.push("FAIL " + what); };
const fsCall = (fs, name, ...args) => new Promise((res, rej) =>
  fs[name](...args, (err, v) => err ? rej(err) : res(v)));
const errCode = async (p) => { try { await p; return "none"; } catch (e) { return e.code; } };
const pattern = (n) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 255);

async function write(fs) {
  await fsCall(fs, "mkdir", "/a", 0o755);
  check(await errCode(fsCall(fs, "mkdir", "/a", 0o755)) === "EEXIST", "mkdir twice gives EEXIST");
  check(await errCode(fsCall(fs, "open", "/a/missing", C.RDWR, 0o644)) === "ENOENT", "open without O_CREAT gives ENOENT");
  check(await errCode(fsCall(fs, "open", "/nodir/f", C.RDWR | C.CREAT, 0o644)) === "ENOENT", "create in a missing dir gives ENOENT");
  const fd = await fsCall(fs, "open", "/a/f", C.RDWR | C.CREAT | C.APPEND, 0o644);
  const data = pattern(100000); // spans two 64 KiB chunks
  check(await fsCall(fs, "write", fd, data, 0, 60000, null) === 60000, "first append");
  check(await fsCall(fs, "write", fd, data, 60000, 40000, null) === 40000, "second append");
  const st = await fsCall(fs, "fstat", fd);
  check(st.size === 100000 && !st.isDirectory(), "size after appends is 100000, got " + st.size);
  const buf = new Uint8Array(20);
  check(await fsCall(fs, "read", fd, buf, 0, 20, 65530) === 20, "read across the chunk boundary");
  check(buf.every((b, i) => b === data[65530 + i]), "bytes across the boundary match");
  check(await fsCall(fs, "read", fd, buf, 0, 20, 100000) === 0, "read at EOF returns 0");
  await fsCall(fs, "ftruncate", fd, 70000);
  check((await fsCall(fs, "fstat", fd)).size === 70000, "size after truncate");
  check(await fsCall(fs, "read", fd, buf, 0, 20, 69990) === 10, "read straddling the new EOF returns the rest");
  await fsCall(fs, "close", fd);
  check(await errCode(fsCall(fs, "open", "/a/f", C.RDWR | C.CREAT | C.EXCL, 0o644)) === "EEXIST", "O_EXCL on an existing file");
  await fsCall(fs, "rename", "/a/f", "/a/g");
  check(await errCode(fsCall(fs, "stat", "/a/f")) === "ENOENT", "renamed-away file is gone");
  check((await fsCall(fs, "readdir", "/a")).join() === "g", "readdir after rename");
  const tmp = await fsCall(fs, "open", "/a/tmp", C.RDWR | C.CREAT, 0o644);
  await fsCall(fs, "close", tmp);
  await fsCall(fs, "unlink", "/a/tmp");
  check(await errCode(fsCall(fs, "rmdir", "/a")) === "ENOTEMPTY", "rmdir of a non-empty dir");
}

async function read(fs) {
  const st = await fsCall(fs, "stat", "/a/g");
  check(st.size === 70000, "size survives a reload, got " + st.size);
  check(await errCode(fsCall(fs, "stat", "/a/tmp")) === "ENOENT", "unlinked file stays gone");
  const fd = await fsCall(fs, "open", "/a/g", C.RDWR, 0o644);
  const buf = new Uint8Array(70000);
  check(await fsCall(fs, "read", fd, buf, 0, 70000, 0) === 70000, "read everything back");
  const data = pattern(100000);
  check(buf.every((b, i) => b === data[i]), "content survives a reload");
  check((await fsCall(fs, "readdir", "/a")).join() === "g", "directory survives a reload");
}

(async () => {
  const fs = new IdbFS(await openStore("idbfs-test"));
  await fs.load();
  await (phase === "write" ? write(fs) : read(fs));
  window.result = log.length ? log.join("; ") : "ok";
})().catch((e) => { window.result = "ERROR " + e.code + " " + e.message; });
</script>`

// TestIdbFSInChromium checks the worker's IndexedDB file system in a real
// browser: POSIX-like errors, chunk boundaries, truncation, rename, and that
// everything is still there after a reload.
func TestIdbFSInChromium(t *testing.T) {
	mux := http.NewServeMux()
	page, _ := fs.Sub(web.Files, ".")
	mux.Handle("/", http.FileServerFS(page))
	mux.HandleFunc("/idbfs_test.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(idbfsScenario))
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(l)
	defer srv.Close()
	ctx := newBrowser(t, "")
	base := "http://" + l.Addr().String() + "/idbfs_test.html"
	for _, phase := range []string{"write", "read"} {
		var result string
		err := chromedp.Run(ctx, chromedp.Navigate(base+"?phase="+phase),
			chromedp.Poll(`window.result`, &result))
		if err != nil {
			t.Fatalf("%s phase: %v", phase, err)
		}
		if result != "ok" {
			t.Errorf("%s phase: %s", phase, strings.TrimSpace(result))
		}
	}
}
