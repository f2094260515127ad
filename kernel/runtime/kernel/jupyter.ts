/**
 * The Jupyter kernel (dist/jupyter-kernel.js, started by Jupyter through the `neuroforge` kernelspec with
 * a connection file). Jupyter's wire protocol (ZeroMQ sockets, HMAC signing, message parsing) is tslab's
 * ZmqServer; the cells run in a NeuroForge kernel process (dist/kernel.js) started through KernelClient —
 * the very process the VS Code controller uses, so both have the same semantics. Jupyter interrupts with
 * SIGINT (interrupt_mode "signal"); we forward it as the protocol's `interrupt`. When the kernel process
 * dies, this adapter stays: the running cell and every later one get the KernelDied error (how it died,
 * "Restart the kernel"), and Jupyter's restart starts a new adapter with a new kernel process.
 *
 * Shell messages go to one handler per message type (`handlers` below); the types without one are
 * tslab's (kernel_info, shutdown), answered through `tslabHandler`. Completion, inspection and
 * is_complete come from the notebook language service (kernel/runtime/language/, in a worker thread).
 */
import { ZmqServer } from "tslab/dist/jupyter";
import { version } from "../../../package.json";
import { LanguageClient, bundledLanguageOptions } from "../language/client";
import { JupyterLanguage } from "../language/jupyter-replies";
import { KernelClient } from "./client";
import { historyReply, type HistoryEntry, type HistoryRequest } from "./history";
import type { KernelMessage } from "./protocol";

interface WireMessage {
  header: { msg_type: string };
  content: Record<string, unknown>;
  createReply(): WireMessage;
  signAndSend(key: string, socket: unknown): void;
}

/** tslab's ZmqMessage class, which parses and verifies a message's frames. */
interface WireParser {
  fromRaw(key: string, frames: unknown[]): WireMessage;
}

/** The parts of tslab's ZmqServer we use or replace. */
interface Server {
  connInfo: { key: string };
  iopub: unknown;
  publishStatus(status: "busy" | "idle", parent: WireMessage): void;
  handleShellMessage(sock: unknown, ...frames: unknown[]): Promise<void>;
  init(): Promise<void>;
}

type Handler = (sock: unknown, msg: WireMessage) => void | Promise<void>;

async function main(connectionFile: string): Promise<void> {
  const client = await KernelClient.start({ cwd: process.cwd(), restartHint: "Restart the kernel (Kernel → Restart Kernel…) to run cells again." });
  client.on("log", (text: string) => process.stderr.write(text));
  client.process.on("exit", (code, signal) => process.stderr.write(`neuroforge jupyter kernel: the kernel process ${client.pid} ended (${signal ?? `code ${code}`})\n`));
  // Knows the cells executed so far, for completion and inspection.
  const language = new JupyterLanguage(new LanguageClient(bundledLanguageOptions(__dirname)), process.cwd());

  const tslabHandler = {
    handleKernel: () => ({
      protocol_version: "5.3",
      implementation: "neuroforge",
      implementation_version: version,
      language_info: { name: "typescript", version: client.versions.typescript ?? "", mimetype: "text/typescript", file_extension: ".ts", codemirror_mode: { mode: "typescript", name: "javascript", typescript: true } },
      banner: `NeuroForge ${version} (TypeScript)`,
    }),
    handleExecute: async () => ({ status: "error" }),
    handleShutdown: () => ({ restart: false }),
    close: () => {
      void client.shutdown().then(() => process.exit(0));
    },
  };
  const server = new ZmqServer(tslabHandler as never, connectionFile) as unknown as Server;

  const send = (parent: WireMessage, msgType: string, content: Record<string, unknown>, socket: unknown): void => {
    const m = parent.createReply();
    m.header.msg_type = msgType;
    m.content = content;
    m.signAndSend(server.connInfo.key, socket);
  };
  const publish = (parent: WireMessage, msgType: string, content: Record<string, unknown>): void => send(parent, msgType, content, server.iopub);

  // Executions run one after another; after an error (with stop_on_error, the default) every request
  // received until then replies `aborted` without running, as ipykernel does.
  let queue: Promise<void> = Promise.resolve();
  let received = 0;
  let abortThrough = 0;
  const history: HistoryEntry[] = [];

  const runCell = async (sock: unknown, msg: WireMessage, seq: number): Promise<void> => {
    if (seq <= abortThrough) return send(msg, "execute_reply", { status: "aborted", execution_count: null, user_expressions: {} }, sock);
    const code = String(msg.content.code ?? "");
    let count = 0;
    const result = await client.execute(code, (m: KernelMessage) => {
      switch (m.type) {
        case "started":
          count = m.executionCount;
          if (msg.content.store_history !== false) history.push({ line: count, input: code });
          return publish(msg, "execute_input", { code, execution_count: count });
        case "stream":
          return publish(msg, "stream", { name: m.name, text: m.text });
        case "display":
          return publish(msg, "display_data", { data: m.data, metadata: m.metadata, transient: m.displayId ? { display_id: m.displayId } : {} });
        case "update":
          return publish(msg, "update_display_data", { data: m.data, metadata: m.metadata, transient: { display_id: m.displayId } });
        case "result":
          return publish(msg, "execute_result", { execution_count: m.executionCount, data: m.data, metadata: m.metadata });
        case "error":
          return publish(msg, "error", { ename: m.ename, evalue: m.evalue, traceback: m.traceback });
      }
    });
    language.executed(code, !result.error?.diagnostics);
    count = result.executionCount > 0 ? result.executionCount : count;
    if (result.status !== "ok" && msg.content.stop_on_error !== false) abortThrough = received;
    send(
      msg,
      "execute_reply",
      result.status === "ok"
        ? { status: "ok", execution_count: count, user_expressions: {} }
        : { status: "error", execution_count: count, ename: result.error?.ename ?? "Error", evalue: result.error?.evalue ?? "", traceback: result.error?.traceback ?? [] },
      sock,
    );
  };

  /** A language service answer, or Jupyter's error reply naming what failed (e.g. the worker died). */
  const languageAnswer = (answer: () => Promise<Record<string, unknown>>): Promise<Record<string, unknown>> =>
    answer().catch((error: unknown) => ({ status: "error", ename: "LanguageServiceError", evalue: error instanceof Error ? error.message : String(error), traceback: [] }));

  const handlers: Record<string, Handler> = {
    execute_request: (sock, msg) => {
      const seq = ++received;
      const turn = queue.then(() => runCell(sock, msg, seq));
      queue = turn.catch(() => {});
      return turn;
    },
    history_request: (sock, msg) => send(msg, "history_reply", historyReply(history, msg.content as HistoryRequest), sock),
    // No comm targets (widgets) exist: an empty list, and a comm opened by the front end is closed again.
    comm_info_request: (sock, msg) => send(msg, "comm_info_reply", { status: "ok", comms: {} }, sock),
    comm_open: (_sock, msg) => publish(msg, "comm_close", { comm_id: msg.content.comm_id, data: {} }),
    complete_request: async (sock, msg) => send(msg, "complete_reply", await languageAnswer(() => language.complete(String(msg.content.code ?? ""), Number(msg.content.cursor_pos ?? 0))), sock),
    inspect_request: async (sock, msg) => send(msg, "inspect_reply", await languageAnswer(() => language.inspect(String(msg.content.code ?? ""), Number(msg.content.cursor_pos ?? 0))), sock),
    is_complete_request: async (sock, msg) => send(msg, "is_complete_reply", await languageAnswer(() => language.isComplete(String(msg.content.code ?? ""))), sock),
  };

  // tslab's dispatcher parses every message and announces it with publishStatus("busy", msg) before its
  // switch; the first message (a client's kernel_info_request) hands us tslab's parser that way. Until
  // then tslab dispatches, and its execute method is ours too.
  (server as unknown as { handleExecute: Handler }).handleExecute = handlers.execute_request!;
  Object.assign(server, { handleComplete: handlers.complete_request, handleInspect: handlers.inspect_request, handleIsComplete: handlers.is_complete_request });
  let parser: WireParser | null = null;
  const publishStatus = server.publishStatus.bind(server);
  server.publishStatus = (status, parent) => {
    parser ??= parent.constructor as unknown as WireParser;
    publishStatus(status, parent);
  };
  const tslabDispatch = server.handleShellMessage.bind(server);
  server.handleShellMessage = async (sock, ...frames) => {
    const msg = parser ? parser.fromRaw(server.connInfo.key, frames) : null;
    const handler = msg ? handlers[msg.header.msg_type] : undefined;
    if (!msg || !handler) return tslabDispatch(sock, ...frames);
    publishStatus("busy", msg);
    try {
      await handler(sock, msg);
    } finally {
      publishStatus("idle", msg);
    }
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
