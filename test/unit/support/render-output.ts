import type { ActivationFunction } from "vscode-notebook-renderer";

/**
 * Renders one output item through a notebook renderer's entry point (its `activate`), as VS Code does,
 * into a fresh element appended to document.body (JSDOM globals must be installed by the test).
 * `context` may carry postMessage/onDidReceiveMessage (renderer messaging); without them there is no host.
 */
export async function renderOutput(activate: ActivationFunction, mime: string, payload: unknown, context: Record<string, unknown> = {}): Promise<HTMLElement> {
  const ctx = { postMessage: undefined, onDidReceiveMessage: undefined, setState() {}, getState: () => undefined, workspace: { isTrusted: true }, settings: {}, ...context };
  const renderer = (await activate(ctx as never))!;
  const element = document.createElement("div");
  document.body.append(element);
  const text = JSON.stringify(payload);
  const item = { id: "out-1", mime, metadata: {}, json: () => JSON.parse(text) as unknown, text: () => text, data: () => new TextEncoder().encode(text), blob: () => { throw new Error("unused"); } };
  await renderer.renderOutputItem(item as never, element, new AbortController().signal);
  return element;
}
