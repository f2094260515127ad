import { JSDOM } from "jsdom";

/** A JSDOM page whose document, window, HTMLElement and Node become the globals renderers use (they run in a browser). */
export function installDom(): JSDOM {
  const dom = new JSDOM("<!DOCTYPE html><html><body></body></html>", { pretendToBeVisual: true });
  Object.assign(globalThis, { document: dom.window.document, window: dom.window, HTMLElement: dom.window.HTMLElement, Node: dom.window.Node });
  return dom;
}

/** A keydown as a person's key press dispatches it (bubbling, cancelable). */
export function pressKey(dom: JSDOM, el: Element, key: string): boolean {
  return el.dispatchEvent(new dom.window.KeyboardEvent("keydown", { key, bubbles: true, cancelable: true }));
}

export const coords = (line: Element) => ["x1", "y1", "x2", "y2"].map((a) => Number(line.getAttribute(a))) as [number, number, number, number];

/** Distance from (px, py) to the segment [x1, y1, x2, y2] (projection clamped to the segment). */
export function distance(px: number, py: number, [x1, y1, x2, y2]: readonly number[]): number {
  const dx = x2! - x1!;
  const dy = y2! - y1!;
  const u = Math.max(0, Math.min(1, ((px - x1!) * dx + (py - y1!) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(px - (x1! + u * dx), py - (y1! + u * dy));
}

/**
 * The point on a drawn line where a person would point at it: the one (of 20 along it) farthest from
 * every other line of its group (lines cross, often at their middles).
 */
export function pointOnLine(line: Element): { x: number; y: number } {
  const mine = coords(line);
  const others = Array.from(line.parentElement!.querySelectorAll("line"), (l) => (l === line ? null : coords(l))).filter((c): c is [number, number, number, number] => c !== null);
  let best = { x: 0, y: 0, clear: -1 };
  for (let i = 1; i < 20; i++) {
    const x = mine[0] + ((mine[2] - mine[0]) * i) / 20;
    const y = mine[1] + ((mine[3] - mine[1]) * i) / 20;
    const clear = others.reduce((m, o) => Math.min(m, distance(x, y, o)), Infinity);
    if (clear > best.clear) best = { x, y, clear };
  }
  return best;
}

/** A mouse event at (x, y), dispatched on `el` (JSDOM has no layout: client coordinates are SVG coordinates). */
export function mouseAt(el: Element, type: "mousemove" | "click", x: number, y: number): boolean {
  const view = el.ownerDocument.defaultView!;
  return el.dispatchEvent(new view.MouseEvent(type, { clientX: x, clientY: y, bubbles: true, cancelable: true }));
}

/** Points at a weight line as a person does (see pointOnLine): the network's SVG picks the line nearest the pointer. */
export function pointAtLine(line: Element, type: "mousemove" | "click"): boolean {
  const { x, y } = pointOnLine(line);
  return mouseAt(line, type, x, y);
}
