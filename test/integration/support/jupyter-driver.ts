/**
 * Drives the `neuroforge` Jupyter kernel over the real wire protocol from python3 with Debian's
 * jupyter_client (as a notebook front end drives ipykernel). The kernelspec must be installed in `env`
 * (./jupyter-sandbox.ts).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { lostPortRace } from "./notebooks";

/** Debian's python3 (where its jupyter packages are), else the first python3 on PATH that has jupyter_client. */
export const python = ["/usr/bin/python3", "python3"].find((p) => spawnSync(p, ["-c", "import jupyter_client"], { stdio: "ignore" }).status === 0);

// Sends the requests listed in SCRIPT (JSON on stdin) and prints, per request, its reply and the IOPub
// messages whose parent it is (type, content and the header's date), as JSON.
const DRIVER = String.raw`
import json, sys
from jupyter_client.manager import KernelManager
steps = json.load(sys.stdin)
km = KernelManager(kernel_name="neuroforge")
km.start_kernel(cwd=sys.argv[1])
kc = km.client()
kc.start_channels()
out = []
try:
    kc.wait_for_ready(timeout=120)
    for step in steps:
        ids = []
        for req in step:
            kind = req["kind"]
            if kind == "execute":
                ids.append(kc.execute(req["code"], stop_on_error=req.get("stop_on_error", True)))
            elif kind == "history":
                ids.append(kc.history(**req["args"]))
            elif kind == "comm_info":
                ids.append(kc.comm_info())
        replies = {}
        while len(replies) < len(ids):
            r = kc.get_shell_msg(timeout=120)
            if r["parent_header"].get("msg_id") in ids:  # not wait_for_ready's extra kernel_info replies
                replies[r["parent_header"]["msg_id"]] = {"type": r["msg_type"], "content": r["content"]}
        iopub = {i: [] for i in ids}
        idle = set()
        while len(idle) < len(ids):
            m = kc.get_iopub_msg(timeout=120)
            pid = m["parent_header"].get("msg_id")
            if pid not in iopub:
                continue
            if m["msg_type"] == "status":
                if m["content"]["execution_state"] == "idle":
                    idle.add(pid)
                continue
            date = m["header"].get("date")
            iopub[pid].append({"type": m["msg_type"], "content": m["content"], "date": date.isoformat() if hasattr(date, "isoformat") else str(date)})
        out.append([{"reply": replies[i], "iopub": iopub[i]} for i in ids])
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)
print(json.dumps(out))
`;

export interface Msg {
  type: string;
  content: Record<string, any>;
  /** The message header's date (ISO 8601; IOPub messages only). */
  date?: string;
}
export interface Answer {
  reply: Msg;
  iopub: Msg[];
}
export type Request = { kind: "execute"; code: string; stop_on_error?: boolean } | { kind: "history"; args: Record<string, unknown> } | { kind: "comm_info" };

/** Runs each step's requests together (a step waits for the previous one's replies and idle states); the kernel starts in `cwd`. */
export function runJupyterSteps(cwd: string, env: NodeJS.ProcessEnv, steps: readonly (readonly Request[])[]): Answer[][] {
  assert.ok(python, "python3 with jupyter_client");
  for (let attempt = 1; ; attempt++) {
    const r = spawnSync(python, ["-c", DRIVER, cwd], { env, input: JSON.stringify(steps), encoding: "utf8", timeout: 220_000, maxBuffer: 256 << 20 });
    // A kernel that died at start over a port ran no request: started again (support/notebooks.ts).
    if (r.status !== 0 && attempt < 3 && lostPortRace(r.stderr)) continue;
    assert.equal(r.status, 0, `${r.error ?? r.signal ?? ""} ${r.stderr}`);
    return JSON.parse(r.stdout) as Answer[][];
  }
}
