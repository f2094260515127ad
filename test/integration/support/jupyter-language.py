# Drives the neuroforge Jupyter kernel with Debian's jupyter_client (a real client, as JupyterLab's
# completer and the console use it): executes a cell, then asks complete, inspect and is_complete.
# Writes one JSON object with every reply's content to the file named by its argument (not stdout, which
# jupyter_client's threads may also write to); test/integration/jupyter-language.test.ts checks it.
import json
import os
import sys
from jupyter_client.manager import start_new_kernel

km, kc = start_new_kernel(kernel_name="neuroforge", startup_timeout=60)
out = {}
try:
    def shell(method, *args, **kw):
        msg_id = getattr(kc, method)(*args, **kw)
        reply = kc.get_shell_msg(timeout=60)
        while reply["parent_header"].get("msg_id") != msg_id:  # e.g. a second kernel_info_reply from start-up
            reply = kc.get_shell_msg(timeout=60)
        # The status messages of this request until idle, to check that idle follows the reply.
        statuses = []
        while not statuses or statuses[-1][0] != "idle":
            m = kc.get_iopub_msg(timeout=60)
            if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "status":
                statuses.append((m["content"]["execution_state"], m["header"]["date"]))
        content = dict(reply["content"])
        content["_statuses"] = [s for s, _ in statuses]
        content["_idle_after_reply"] = statuses[-1][1] >= reply["header"]["date"]
        return content

    out["execute"] = shell("execute", 'import { Trainer } from "neuroforge";\nconst answerToAll = 42;\nconst café = "☕";')
    out["refused"] = shell("execute", "const notDeclared: number = 'text';")
    code = "Math.ma"
    out["complete_math"] = shell("complete", code, len(code))
    code = "const x = answerTo"
    out["complete_earlier"] = shell("complete", code, len(code))
    code = '"🍩" + café.toUpp'
    out["complete_unicode"] = shell("complete", code, len(code))
    code = "notDecl"
    out["complete_refused"] = shell("complete", code, len(code))
    out["inspect_trainer"] = shell("inspect", "Trainer", len("Trainer"))
    out["inspect_earlier"] = shell("inspect", "answerToAll + 1", 3)
    out["inspect_nothing"] = shell("inspect", "   ", 1)
    out["is_complete_open"] = shell("is_complete", "for (let i = 0; i < 3; i++) {")
    out["is_complete_full"] = shell("is_complete", "for (let i = 0; i < 3; i++) { console.log(i); }")
    out["is_complete_invalid"] = shell("is_complete", "let = = 2;")
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)
with open(sys.argv[1], "w", encoding="utf-8") as f:
    json.dump(out, f)
os._exit(0)  # skips jupyter_client's noisy finalizers at interpreter exit
