/**
 * The Jupyter kernel (dist/jupyter-kernel.js, started by Jupyter through the `neuroforge` kernelspec with
 * a connection file). Jupyter's wire protocol (ZeroMQ sockets, HMAC signing) is tslab's ZmqServer; the
 * cells run in a NeuroForge kernel process (dist/kernel.js) started through KernelClient — the very
 * process the VS Code controller uses, so both have the same semantics. Jupyter interrupts with SIGINT
 * (interrupt_mode "signal"); we forward it as the protocol's `interrupt`.
 */
import { ZmqServer } from "tslab/dist/jupyter";
import { version } from "../../../package.json";
import { KernelClient } from "./client";
import type { KernelMessage } from "./protocol";

interface WireMessage {
  header: { msg_type: string };
  content: Record<string, unknown>;
  createReply(): WireMessage;
  signAndSend(key: string, socket: unknown): void;
}

async function main(connectionFile: string): Promise<void> {
  const client = await KernelClient.start({ cwd: process.cwd() });
  client.on("log", (text: string) => process.stderr.write(text));
  client.process.on("exit", () => process.exit(0));

  const handler = {
    handleKernel: () => ({
      protocol_version: "5.3",
      implementation: "neuroforge",
      implementation_version: version,
      language_info: { name: "typescript", version: client.versions.typescript ?? "", mimetype: "text/typescript", file_extension: ".ts", codemirror_mode: { mode: "typescript", name: "javascript", typescript: true } },
      banner: `NeuroForge ${version} (TypeScript)`,
    }),
    handleExecute: async () => ({ status: "error" }),
    handleIsComplete: () => ({ status: "unknown" }),
    handleInspect: () => ({ status: "ok", found: false, data: {}, metadata: {} }),
    handleComplete: (req: { cursor_pos: number }) => ({ cursor_start: req.cursor_pos, cursor_end: req.cursor_pos, matches: [], metadata: {}, status: "ok" }),
    handleShutdown: () => ({ restart: false }),
    close: () => {
      void client.shutdown().then(() => process.exit(0));
    },
  };
  const server = new ZmqServer(handler as never, connectionFile);
  const s = server as unknown as { connInfo: { key: string }; iopub: unknown };

  // Our execute: every kernel message becomes its Jupyter IOPub message (tslab's only sends streams and display data).
  (server as unknown as { handleExecute: (sock: unknown, msg: WireMessage) => Promise<void> }).handleExecute = async (sock, msg) => {
    const publish = (msgType: string, content: Record<string, unknown>): void => {
      const m = msg.createReply();
      m.header.msg_type = msgType;
      m.content = content;
      m.signAndSend(s.connInfo.key, s.iopub);
    };
    const code = String(msg.content.code ?? "");
    let count = 0;
    const result = await client.execute(code, (m: KernelMessage) => {
      switch (m.type) {
        case "stream":
          return publish("stream", { name: m.name, text: m.text });
        case "display":
          return publish("display_data", { data: m.data, metadata: m.metadata, transient: m.displayId ? { display_id: m.displayId } : {} });
        case "update":
          return publish("update_display_data", { data: m.data, metadata: m.metadata, transient: { display_id: m.displayId } });
        case "result":
          count = m.executionCount;
          return publish("execute_result", { execution_count: m.executionCount, data: m.data, metadata: m.metadata });
        case "error":
          return publish("error", { ename: m.ename, evalue: m.evalue, traceback: m.traceback });
      }
    });
    count = result.executionCount > 0 ? result.executionCount : count;
    const reply = msg.createReply();
    reply.header.msg_type = "execute_reply";
    reply.content =
      result.status === "ok"
        ? { status: "ok", execution_count: count, user_expressions: {} }
        : { status: "error", execution_count: count, ename: result.error?.ename ?? "Error", evalue: result.error?.evalue ?? "", traceback: result.error?.traceback ?? [] };
    reply.signAndSend(s.connInfo.key, sock);
  };

  process.on("SIGINT", () => client.interrupt());
  process.on("SIGTERM", () => {
    void client.shutdown().then(() => process.exit(0));
  });
  await server.init();
}

const connectionFile = process.argv[2];
if (!connectionFile) {
  process.stderr.write("usage: node dist/jupyter-kernel.js <connection_file>  (started by Jupyter through the neuroforge kernelspec)\n");
  process.exit(2);
}
main(connectionFile).catch((error: unknown) => {
  process.stderr.write(`neuroforge jupyter kernel: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
