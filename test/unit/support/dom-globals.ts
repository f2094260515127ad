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
